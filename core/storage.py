"""Where uploads are stored: under MEDIA_ROOT, with names nobody can guess.

The uploader's file name (a victim's name, an ID number, a notice number) never reaches the
disk: each stored file is named by 128 random bits plus its lower-cased extension, in the
folder its field's ``upload_to`` gives. Nothing serves MEDIA_ROOT: uploads are read only
through views that first check the viewer may see the owning object (the legal notice:
``alerts:legal_notice``; outreach photos: ``api-outreach-photo``).
"""

import os
import re
import uuid

from django.core.files.storage import FileSystemStorage

_EXTENSION = re.compile(r"\.[a-z0-9]{1,8}$")


class UnguessableNameStorage(FileSystemStorage):
    def get_valid_name(self, name):
        extension = _EXTENSION.search(os.path.basename(name or "").lower())
        return uuid.uuid4().hex + (extension.group(0) if extension else "")
