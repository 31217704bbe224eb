#include "tictactoe_version.h"

#if __has_include("version.generated.h")
#include "version.generated.h"
#else
#define TICTACTOE_VERSION "dev"
#endif

const char *tictactoe_version(void) { return TICTACTOE_VERSION; }
