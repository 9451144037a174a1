#include "commands.h"
#include "ui.h"

int cmd_list(int argc, const char **argv)
{
	return error("list: not implemented yet");
}
