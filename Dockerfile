# ipcity runs from its checkout (as under ./bin/start): the code, templates, static files, locale and
# fixtures stay in /app; `pip install -e .` installs the pinned dependencies and points at /app.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# pg_dump / pg_restore for `manage.py backup` and `restore`; a CJK font for the 通报's charts (reports/charts.py).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 ipcity && mkdir -p /srv/static /srv/media /app/var \
    && chown ipcity:ipcity /srv/static /srv/media /app/var
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir -e .
USER ipcity
EXPOSE 8000
CMD ["python", "manage.py", "serve", "0.0.0.0:8000"]
