#ifndef TICTACTOE_VERSION_H
#define TICTACTOE_VERSION_H

/// The version this binary was built as: `git describe` of its sources, which `make` (and the
/// image build, through the build context) writes to `version.generated.h` beside `version.c`.
/// "dev" when that file is missing, as in a plain `swift build` of a fresh clone.
const char *tictactoe_version(void);

#endif
