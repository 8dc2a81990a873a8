# The production image: one image for web (uvicorn), worker and beat (Celery).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs a SECRET_KEY in production mode; this one only lives during the build.
RUN SECRET_KEY=build-only-not-secret python manage.py compilemessages -v 0 \
    && SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput -v 0
RUN useradd --system --home /app fraudgov && mkdir -p /app/media && chown fraudgov /app/media
USER fraudgov
EXPOSE 8000
CMD ["uvicorn", "fraudgov.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--no-proxy-headers"]
