// Compiles the server tests' HTTP client (tests/server/http_client.h) and
// test helpers into this folder's binary: each test folder is one binary.
#include "server/http_client.cc"
#include "server/server_test_util.cc"
