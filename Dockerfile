FROM python:3.12-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY compliance_portal ./compliance_portal
COPY assessments ./assessments
RUN pip install --no-cache-dir ".[s3]"
COPY . .
RUN useradd --create-home portal && mkdir -p /app/var /app/staticfiles \
 && chown -R portal /app/var /app/staticfiles
USER portal
EXPOSE 8000
CMD ["bin/serve"]
