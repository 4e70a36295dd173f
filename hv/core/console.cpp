#include "hv/core/console.hpp"

#include "hv/core/log.hpp"

namespace vireo {
namespace {

constexpr char kCtrlA = 0x01;
constexpr unsigned kSwitchPresses = 3;
constexpr size_t kInputSize = 512;

struct KeyEntry {
    char key;
    const char* description;
    DebugKeyHandler handler;
};

KeyEntry g_keys[32];
unsigned g_key_count = 0;
bool g_focus_hypervisor = false;
unsigned g_ctrl_a_run = 0;

// dom0's input ring: one producer (the console poll), one consumer
// (console_io read); both run with interrupts off on CPU 0.
char g_input[kInputSize];
size_t g_in_head = 0, g_in_tail = 0;

void list_keys()
{
    log(LogLevel::ERROR, "debug keys:\n");
    for (unsigned i = 0; i < g_key_count; ++i)
        log(LogLevel::ERROR, "  %c  %s\n", g_keys[i].key, g_keys[i].description);
}

void run_key(char c)
{
    if (c == 'h') {
        list_keys();
        return;
    }
    for (unsigned i = 0; i < g_key_count; ++i) {
        if (g_keys[i].key == c) {
            g_keys[i].handler();
            return;
        }
    }
    log(LogLevel::ERROR, "no debug key '%c' (h lists them)\n", c);
}

}  // namespace

void console_register_key(char key, const char* description, DebugKeyHandler handler)
{
    if (g_key_count < sizeof(g_keys) / sizeof(g_keys[0]))
        g_keys[g_key_count++] = {key, description, handler};
}

void console_input_char(char c)
{
    if (c == kCtrlA) {
        if (++g_ctrl_a_run == kSwitchPresses) {
            g_ctrl_a_run = 0;
            g_focus_hypervisor = !g_focus_hypervisor;
            log(LogLevel::ERROR, "*** console input now goes to %s (type Ctrl-A three times to switch)\n",
                g_focus_hypervisor ? "Vireo" : "DOM0");
        }
        return;
    }
    g_ctrl_a_run = 0;
    if (g_focus_hypervisor) {
        run_key(c);
        return;
    }
    size_t next = (g_in_head + 1) % kInputSize;
    if (next != g_in_tail) {  // a full ring drops input, as a UART would
        g_input[g_in_head] = c;
        g_in_head = next;
    }
}

size_t console_read_dom0(char* buf, size_t n)
{
    size_t got = 0;
    while (got < n && g_in_tail != g_in_head) {
        buf[got++] = g_input[g_in_tail];
        g_in_tail = (g_in_tail + 1) % kInputSize;
    }
    return got;
}

bool console_focus_is_hypervisor() { return g_focus_hypervisor; }

}  // namespace vireo
