import secrets

shared_store = MemoryStore()
shared_secret = secrets.token_hex(32)  # in production: from the environment, the same on every server
server_a = start_server(name="shared-a", store=shared_store, secret=shared_secret)
server_b = start_server(name="shared-b", store=shared_store, secret=shared_secret)
