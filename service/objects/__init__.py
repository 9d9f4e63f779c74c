"""Objects: where originals and artifacts live, behind one protocol.

    base.ObjectStore        the protocol: get, get_range, head, download, put, put_file,
                            list_prefix, delete_prefix, local_path
    ├── directory_store     files under the data directory (the embedded default)
    └── s3_store            any S3-compatible service, through obstore
    disk_tier.DiskTier      a node's bounded local copies of a remote store's objects
    runner                  the blocking face of the async protocol, for worker threads
    configure               the one store and tier of this process, from the settings
"""
