// The serial console's input side. Like Xen's: input goes to dom0 until
// three Ctrl-A in a row switch it to the hypervisor, where single keys are
// debug keys (h lists them); three more Ctrl-A switch back.
#pragma once

#include <stddef.h>

namespace vireo {

using DebugKeyHandler = void (*)();

void console_register_key(char key, const char* description, DebugKeyHandler handler);
// Feeds one received character.
void console_input_char(char c);
// Takes up to n buffered characters meant for dom0.
size_t console_read_dom0(char* buf, size_t n);
bool console_focus_is_hypervisor();

}  // namespace vireo
