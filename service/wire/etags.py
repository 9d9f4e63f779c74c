"""Strong ETags for artifacts, derived from the record's version: a 304 reads no file."""


def etag_for(version: str, *parts: object) -> str:
    return '"' + "-".join([version, *(str(p) for p in parts)]) + '"'
