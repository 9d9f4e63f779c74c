"""Content types and cache headers, spelled once."""

JSON = "application/json"
HTML = "text/html; charset=utf-8"
JPEG = "image/jpeg"
PDF = "application/pdf"

NO_STORE = "no-store"  # errors and anything that may still change
IMMUTABLE = "private, max-age=31536000, immutable"  # a finished processing's artifacts
