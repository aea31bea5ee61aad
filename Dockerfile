FROM python:3.13-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint's libraries; postgresql-client for bin/backup and bin/restore.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, from the lock file: this layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps . ./verifier \
 && useradd --create-home portal && mkdir -p /app/var /app/keys /app/staticfiles \
 && chown -R portal /app/var /app/keys /app/staticfiles && chmod 700 /app/keys
USER portal
EXPOSE 8000
CMD ["bin/serve"]
