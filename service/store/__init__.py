from service.store.fs import FileStore, valid_id
from service.store.record import FAILED, PENDING, RUNNING, SUCCEEDED, CorruptRecord, Record

__all__ = [
    "FAILED",
    "PENDING",
    "RUNNING",
    "SUCCEEDED",
    "CorruptRecord",
    "FileStore",
    "Record",
    "valid_id",
]
