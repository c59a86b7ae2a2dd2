// Compiles the alert tests' webhook receiver (tests/server/watch/webhook_receiver.h)
// into this folder's binary: each test folder is one binary.
#include "server/watch/webhook_receiver.cc"
