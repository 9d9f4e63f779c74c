"""What an answer is made of, shared by the web layer and the packages below it.

Media types and cache headers, ETags, metrics and the bytes of an error answer.
Nothing here imports the web layer, Starlette or uvicorn.
"""
