// The one binary. Everything is a subcommand: see `ward --help`.
#include "commands.h"

int main(int argc, char** argv) { return ward::cli::runCli(argc, argv); }
