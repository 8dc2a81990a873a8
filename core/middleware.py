"""The interface speaks Chinese unless the user chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many members' office
PCs run an English Windows or Chromium: the joint meeting's working language is Chinese, so
pages ignore the browser and follow only the user's own choice (the language cookie set by the
switch). Agency systems calling the API say what they want in Accept-Language, as HTTP intends.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and translation.check_for_language(chosen) and chosen in dict(settings.LANGUAGES):
            language = chosen
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
