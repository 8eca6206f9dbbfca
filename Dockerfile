# partnerbot in one image: `docker build -t partnerbot .`, then see README.md ("Deploy").
# The container runs `partnerbot run` as a non-root user; `run` applies the database migrations
# itself before it starts, so no separate migration step is needed. Settings come from the
# environment (PARTNERBOT_*, see bot/settings.py); SQLite, if used, lives in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/partnerbot \
    PATH=/opt/partnerbot/bin:$PATH

RUN groupadd --system --gid 10001 partnerbot \
 && useradd --system --uid 10001 --gid partnerbot --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin partnerbot \
 && mkdir -p /data \
 && chown partnerbot:partnerbot /data \
 && chmod 0700 /data

WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
COPY conversations ./conversations
COPY storage ./storage
COPY locales ./locales

# The exact versions CI tested: constraints.txt pins every package (no index addresses).
# The install puts the catalogs under the environment (share/partnerbot/locales, where
# bot/i18n.py looks when there is no checkout); without them every partner would silently get
# English, so the last line fails the build if French does not translate.
RUN python -m venv "$VIRTUAL_ENV" \
 && pip install --no-cache-dir -c constraints.txt . \
 && cd / \
 && rm -rf /src \
 && python -c "from bot.i18n import Translator; t = Translator('fr'); \
assert t('Yes') != 'Yes', 'locales not found by bot.i18n'"

ENV PARTNERBOT_DATA_DIR=/data \
    PARTNERBOT_OPS_PORT=9100 \
    PARTNERBOT_WEBHOOK_LISTEN=0.0.0.0 \
    PARTNERBOT_WEBHOOK_PORT=8443 \
    MPLCONFIGDIR=/tmp/matplotlib \
    HOME=/data

VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
# Only used by `run --webhook`: put a TLS reverse proxy in front (README.md ("Deploy")).
EXPOSE 8443

# The bot's own /healthz on loopback inside the container (database answers, Telegram answered
# lately, dispatcher alive): one local request a minute. `partnerbot doctor` is the thorough
# check to run by hand (it asks Telegram and compiles every catalog).
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 \
    CMD ["partnerbot", "health"]

# Exec form: partnerbot is PID 1 and gets SIGTERM itself; it stops within 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["partnerbot"]
CMD ["run"]
