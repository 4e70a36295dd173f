#include "hv/core/console.hpp"

#include "hv/core/guest_console.hpp"
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
// Who gets typed input: dom0, a domU with a console ring, or Vireo's
// debug keys. Ctrl-A three times moves it along in that order.
constexpr uint32_t kFocusHypervisor = 0x10000;
uint32_t g_focus = 0;
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

Domain* focused_domu()
{
    if (g_focus == 0 || g_focus == kFocusHypervisor)
        return nullptr;
    Domain* d = domain_lookup(static_cast<uint16_t>(g_focus));
    return d && d->state == DomainState::RUNNING && guest_console_has_ring(*d) ? d : nullptr;
}

// The next domU (by id) after `after` with a console ring, or none.
uint32_t next_console_domain(uint32_t after)
{
    uint32_t best = kFocusHypervisor;
    for (unsigned s = 0; s < kMaxDomains; ++s) {
        Domain* d = domain_at(s);
        if (d->state == DomainState::RUNNING && guest_console_has_ring(*d) && d->id > after && d->id < best)
            best = d->id;
    }
    return best;
}

void switch_focus()
{
    g_focus = g_focus == kFocusHypervisor ? 0 : next_console_domain(g_focus);
    if (g_focus == kFocusHypervisor)
        log(LogLevel::ERROR, "*** console input now goes to Vireo (type Ctrl-A three times to switch)\n");
    else if (g_focus == 0)
        log(LogLevel::ERROR, "*** console input now goes to DOM0 (type Ctrl-A three times to switch)\n");
    else
        log(LogLevel::ERROR, "*** console input now goes to d%u (%s) (type Ctrl-A three times to switch)\n", g_focus,
            domain_lookup(static_cast<uint16_t>(g_focus))->name);
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
            switch_focus();
        }
        return;
    }
    g_ctrl_a_run = 0;
    if (g_focus == kFocusHypervisor) {
        run_key(c);
        return;
    }
    if (Domain* d = focused_domu()) {
        guest_console_input(*d, c);
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

bool console_focus_is_hypervisor() { return g_focus == kFocusHypervisor; }

}  // namespace vireo
