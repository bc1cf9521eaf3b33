import secrets

shared_store = MemoryStore()
shared_secret = secrets.token_hex(32)  # 生产环境中：从环境变量读取，所有服务器都相同
server_a = start_server(name="shared-a", store=shared_store, secret=shared_secret)
server_b = start_server(name="shared-b", store=shared_store, secret=shared_secret)
