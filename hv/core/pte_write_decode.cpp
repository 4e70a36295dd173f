// Decoding follows the SDM vol. 2 (chapter 2 for prefixes and ModRM/SIB,
// the instruction pages for flags). Only 64-bit mode is handled: a PV guest
// kernel always runs there.
#include "hv/core/pte_write_decode.hpp"
#include "hv/core/hot_path.hpp"

namespace vireo {
namespace {

// RFLAGS arithmetic flags (SDM vol. 1, 3.4.3.1).
constexpr uint64_t kFlagCF = 1u << 0, kFlagPF = 1u << 2, kFlagAF = 1u << 4, kFlagZF = 1u << 6, kFlagSF = 1u << 7,
                   kFlagOF = 1u << 11;
constexpr uint64_t kArithFlags = kFlagCF | kFlagPF | kFlagAF | kFlagZF | kFlagSF | kFlagOF;

enum class Op : uint8_t { MOV, XCHG, CMPXCHG, ADD, OR, ADC, SBB, AND, SUB, XOR, BTS, BTR, BTC, NONE };

// The ALU row of the one-byte map (00-3f) and group 1 (80/81/83), by the
// 3-bit operation field; CMP writes nothing, so it never faults here.
constexpr Op kAluOps[8] = {Op::ADD, Op::OR, Op::ADC, Op::SBB, Op::AND, Op::SUB, Op::XOR, Op::NONE};
// Group 8 (0f ba /4-/7): BT reads only.
constexpr Op kGroup8Ops[8] = {Op::NONE, Op::NONE, Op::NONE, Op::NONE, Op::NONE, Op::BTS, Op::BTR, Op::BTC};

constexpr uint8_t kRexW = 8, kRexR = 4, kRexX = 2, kRexB = 1;

enum class Seg : uint8_t { FLAT, FS, GS };
enum class Imm : uint8_t { NONE, BYTE, FULL };  // FULL: 16 or 32 bits by operand size

// The fetched bytes, consumed in order; never more than 15 (a longer
// instruction raises #GP on the CPU, so it cannot have faulted here).
class InsnBytes {
public:
    InsnBytes(const uint8_t* p, size_t n) : m_p(p), m_n(n < kMaxInsnLength ? n : kMaxInsnLength) {}
    bool take(uint8_t& b)
    {
        if (m_pos >= m_n)
            return false;
        b = m_p[m_pos++];
        return true;
    }
    // n little-endian bytes, sign-extended to 64 bits.
    bool take_signed(unsigned n, uint64_t& v)
    {
        if (m_n - m_pos < n)
            return false;
        uint64_t u = 0;
        for (unsigned i = 0; i < n; ++i)
            u |= uint64_t{m_p[m_pos + i]} << (8 * i);
        m_pos += n;
        unsigned unused = 64 - 8 * n;
        v = static_cast<uint64_t>(static_cast<int64_t>(u << unused) >> unused);
        return true;
    }
    unsigned pos() const { return m_pos; }
    // Why bytes ran out: the fetch was short, or the instruction too long.
    Status exhausted() const { return m_n < kMaxInsnLength ? Status::FAULT : Status::NOT_SUPPORTED; }

private:
    const uint8_t* m_p;
    size_t m_n;
    size_t m_pos = 0;
};

struct Decoded {
    Op op = Op::NONE;
    unsigned width = 0;  // operand bytes
    bool lock = false;
    uint8_t rex = 0;     // any REX makes byte registers 4-7 SPL..DIL
    uint8_t reg = 0;     // ModRM.reg with REX.R: the register operand
    Imm imm_kind = Imm::NONE;
    uint64_t imm = 0;    // sign-extended
    uint64_t ea = 0;     // linear address of the memory operand
    unsigned length = 0;
};

uint64_t width_mask(unsigned width) { return width == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * width)) - 1; }

uint64_t read_reg(const GuestRegs& r, unsigned num, unsigned width, bool rex)
{
    if (width == 1 && !rex && num >= 4 && num < 8)
        return (gpr(r, num - 4) >> 8) & 0xff;  // AH, CH, DH, BH
    return gpr(r, num) & width_mask(width);
}

Status fail(Status s, const char* reason, const char** why)
{
    if (why)
        *why = reason;
    return s;
}

// Prefixes, opcode, ModRM/SIB/displacement and immediate.
Status decode(const PteWriteFault& f, const GuestRegs& r, Decoded& d, const char** why)
{
    InsnBytes in(f.insn, f.insn_len);
    Seg seg = Seg::FLAT;
    bool opsize = false;
    uint8_t b = 0;
    for (;;) {
        if (!in.take(b))
            return fail(in.exhausted(), "instruction bytes end in the prefixes", why);
        // REX counts only right before the opcode: a legacy prefix after it
        // cancels it.
        if ((b & 0xf0) == 0x40) {
            d.rex = b;
            continue;
        }
        if (b == 0xf0)
            d.lock = true;
        else if (b == 0x66)
            opsize = true;
        else if (b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26)
            seg = Seg::FLAT;  // ignored in 64-bit mode
        else if (b == 0x64)
            seg = Seg::FS;
        else if (b == 0x65)
            seg = Seg::GS;
        else if (b == 0xf2 || b == 0xf3)
            return fail(Status::NOT_SUPPORTED, "rep/xacquire/xrelease prefix", why);
        else if (b == 0x67)
            return fail(Status::NOT_SUPPORTED, "address-size prefix", why);
        else
            break;
        d.rex = 0;
    }

    bool byte_op = false, group_c6 = false;
    unsigned group = 0;  // 1: 80/81/83, 8: 0f ba; the op comes from ModRM.reg
    if (b == 0x0f) {
        if (!in.take(b))
            return fail(in.exhausted(), "instruction bytes end in the opcode", why);
        switch (b) {
        case 0xb0: d.op = Op::CMPXCHG; byte_op = true; break;
        case 0xb1: d.op = Op::CMPXCHG; break;
        case 0xab: d.op = Op::BTS; break;
        case 0xb3: d.op = Op::BTR; break;
        case 0xbb: d.op = Op::BTC; break;
        case 0xba: group = 8; d.imm_kind = Imm::BYTE; break;
        default: return fail(Status::NOT_SUPPORTED, "two-byte opcode not emulated", why);
        }
    } else if (b < 0x40 && (b & 7) <= 1) {
        d.op = kAluOps[b >> 3];  // 00/01 add ... 30/31 xor: r/m op= reg
        byte_op = (b & 1) == 0;
    } else {
        switch (b) {
        case 0x88: d.op = Op::MOV; byte_op = true; break;
        case 0x89: d.op = Op::MOV; break;
        case 0x86: d.op = Op::XCHG; byte_op = true; break;
        case 0x87: d.op = Op::XCHG; break;
        case 0xc6: group_c6 = true; byte_op = true; d.imm_kind = Imm::BYTE; break;
        case 0xc7: group_c6 = true; d.imm_kind = Imm::FULL; break;
        case 0x80: group = 1; byte_op = true; d.imm_kind = Imm::BYTE; break;
        case 0x81: group = 1; d.imm_kind = Imm::FULL; break;
        case 0x83: group = 1; d.imm_kind = Imm::BYTE; break;  // sign-extended
        default: return fail(Status::NOT_SUPPORTED, "opcode not emulated", why);
        }
    }
    d.width = byte_op ? 1 : (d.rex & kRexW) ? 8 : opsize ? 2 : 4;

    uint8_t modrm;
    if (!in.take(modrm))
        return fail(in.exhausted(), "instruction bytes end before ModRM", why);
    unsigned mod = modrm >> 6, reg3 = (modrm >> 3) & 7, rm3 = modrm & 7;
    d.reg = static_cast<uint8_t>(reg3 | ((d.rex & kRexR) ? 8 : 0));
    if (group_c6)
        d.op = reg3 == 0 ? Op::MOV : Op::NONE;
    else if (group == 1)
        d.op = kAluOps[reg3];
    else if (group == 8)
        d.op = kGroup8Ops[reg3];
    if (d.op == Op::NONE)
        return fail(Status::NOT_SUPPORTED, "operation writes no memory or is not emulated", why);
    if (mod == 3)
        return fail(Status::NOT_SUPPORTED, "register destination", why);
    if (d.lock && d.op == Op::MOV)
        return fail(Status::NOT_SUPPORTED, "lock on mov (#UD)", why);

    // Effective address (SDM vol. 2, 2.2.1: the 3-bit fields pick SIB,
    // RIP-relative and no-base forms whatever REX.B says).
    uint64_t ea = 0, disp = 0;
    bool rip_relative = false;
    unsigned disp_len = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (rm3 == 4) {
        uint8_t sib;
        if (!in.take(sib))
            return fail(in.exhausted(), "instruction bytes end before SIB", why);
        unsigned index = ((sib >> 3) & 7) | ((d.rex & kRexX) ? 8 : 0);
        if (index != 4)  // RSP cannot be an index: "none"
            ea += gpr(r, index) << (sib >> 6);
        if ((sib & 7) == 5 && mod == 0)
            disp_len = 4;  // disp32, no base
        else
            ea += gpr(r, (sib & 7) | ((d.rex & kRexB) ? 8 : 0));
    } else if (rm3 == 5 && mod == 0) {
        rip_relative = true;
        disp_len = 4;
    } else {
        ea += gpr(r, rm3 | ((d.rex & kRexB) ? 8 : 0));
    }
    if (disp_len && !in.take_signed(disp_len, disp))
        return fail(in.exhausted(), "instruction bytes end in the displacement", why);
    ea += disp;

    if (d.imm_kind != Imm::NONE) {
        unsigned n = d.imm_kind == Imm::BYTE ? 1 : d.width == 2 ? 2 : 4;
        if (!in.take_signed(n, d.imm))
            return fail(in.exhausted(), "instruction bytes end in the immediate", why);
    }
    d.length = in.pos();
    if (rip_relative)
        ea += r.rip + d.length;  // relative to the next instruction
    if (seg == Seg::FS)
        ea += f.fs_base;
    else if (seg == Seg::GS)
        ea += f.gs_base;
    d.ea = ea;
    return Status::OK;
}

uint64_t parity_flag(uint64_t v)
{
    v &= 0xff;  // PF looks at the low byte only
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    return (v & 1) ? 0 : kFlagPF;
}

// SF, ZF and PF of a result of `bits` bits.
uint64_t result_flags(uint64_t res, unsigned bits)
{
    return parity_flag(res) | (res == 0 ? kFlagZF : 0) | (((res >> (bits - 1)) & 1) ? kFlagSF : 0);
}

// a + b + carry_in, or a - b - carry_in, with the flags ADD/ADC or SUB/SBB
// (and CMP) set. a and b are already masked to the width.
uint64_t add_sub(uint64_t a, uint64_t b, bool carry_in, bool subtract, unsigned width, uint64_t& flags)
{
    unsigned bits = 8 * width;
    uint64_t mask = width_mask(width), c = carry_in ? 1 : 0;
    uint64_t res = (subtract ? a - b - c : a + b + c) & mask;
    bool cf;
    if (subtract)
        cf = a < b || (c && a == b);  // a borrow out of the top bit
    else
        cf = bits == 64 ? (res < a || (c && res == a)) : ((a + b + c) >> bits) & 1;
    // Overflow: operands of one sign (of opposite signs for subtraction)
    // giving a result of the other.
    uint64_t of = subtract ? (a ^ b) & (a ^ res) : ~(a ^ b) & (a ^ res);
    flags = result_flags(res, bits) | (cf ? kFlagCF : 0) | (((a ^ b ^ res) & 0x10) ? kFlagAF : 0) |
            (((of >> (bits - 1)) & 1) ? kFlagOF : 0);
    return res;
}

void set_dest(PteWritePlan& p, const Decoded& d, unsigned num, uint64_t value)
{
    bool high = d.width == 1 && !d.rex && num >= 4 && num < 8;
    p.reg = static_cast<uint8_t>(high ? num - 4 : num);
    p.reg_high_byte = high;
    p.reg_width = static_cast<uint8_t>(d.width);
    p.reg_value = value;
}

}  // namespace

VIREO_WARM Result<PteWritePlan> decode_pte_write(const PteWriteFault& f, const GuestRegs& r, const char** why)
{
    Decoded d;
    Status s = decode(f, r, d, why);
    if (s != Status::OK)
        return s;
    unsigned bits = 8 * d.width;
    uint64_t mask = width_mask(d.width);
    bool is_bt = d.op == Op::BTS || d.op == Op::BTR || d.op == Op::BTC;

    // Where the operand really is. A register bit offset is signed and may
    // address beyond the operand: the CPU then touches the operand-sized
    // unit (offset DIV bits) units away, and that unit must be the one at CR2.
    uint64_t addr = d.ea;
    unsigned bit = 0;
    if (is_bt && d.imm_kind != Imm::NONE) {
        bit = static_cast<unsigned>(d.imm) & (bits - 1);
    } else if (is_bt) {
        uint64_t raw = read_reg(r, d.reg, d.width, d.rex);
        int64_t offset = static_cast<int64_t>(raw << (64 - bits)) >> (64 - bits);
        unsigned log2_bits = bits == 16 ? 4 : bits == 32 ? 5 : 6;
        addr += static_cast<uint64_t>((offset >> log2_bits) * static_cast<int64_t>(d.width));
        bit = static_cast<unsigned>(offset) & (bits - 1);
    }
    if (addr != f.addr)
        return fail(Status::RANGE, "operand is not at the fault address", why);
    unsigned at = static_cast<unsigned>(addr & 7);
    if (at + d.width > 8)
        return fail(Status::RANGE, "operand crosses the 8-byte entry", why);

    PteWritePlan p;
    p.length = static_cast<uint8_t>(d.length);
    p.writes = true;
    uint64_t old = (f.old_entry >> (8 * at)) & mask;
    uint64_t src = d.imm_kind != Imm::NONE ? d.imm & mask : read_reg(r, d.reg, d.width, d.rex);
    uint64_t val = old;
    bool carry = (r.rflags & kFlagCF) != 0;
    switch (d.op) {
    case Op::MOV:
        val = src;
        break;
    case Op::XCHG:
        val = src;
        set_dest(p, d, d.reg, old);
        break;
    case Op::CMPXCHG: {
        // Compares as CMP accumulator, destination; a mismatch loads the
        // accumulator and leaves the entry alone.
        uint64_t acc = read_reg(r, 0, d.width, d.rex);
        (void)add_sub(acc, old, false, true, d.width, p.flags);
        p.flags_mask = kArithFlags;
        if (acc == old) {
            val = src;
        } else {
            p.writes = false;
            set_dest(p, d, 0, old);
        }
        break;
    }
    case Op::ADD:
    case Op::ADC:
    case Op::SUB:
    case Op::SBB: {
        bool sub = d.op == Op::SUB || d.op == Op::SBB;
        bool cin = (d.op == Op::ADC || d.op == Op::SBB) && carry;
        val = add_sub(old, src, cin, sub, d.width, p.flags);
        p.flags_mask = kArithFlags;
        break;
    }
    case Op::AND:
    case Op::OR:
    case Op::XOR:
        val = d.op == Op::AND ? old & src : d.op == Op::OR ? old | src : old ^ src;
        // OF and CF cleared; AF is undefined and cleared as the CPU does.
        p.flags = result_flags(val, bits);
        p.flags_mask = kArithFlags;
        break;
    case Op::BTS:
    case Op::BTR:
    case Op::BTC: {
        uint64_t m = uint64_t{1} << bit;
        // Only CF is defined (the old bit); ZF is kept, the rest undefined.
        p.flags = (old & m) ? kFlagCF : 0;
        p.flags_mask = kFlagCF;
        val = d.op == Op::BTS ? old | m : d.op == Op::BTR ? old & ~m : old ^ m;
        break;
    }
    case Op::NONE:
        return fail(Status::NOT_SUPPORTED, "no operation", why);
    }
    uint64_t field = mask << (8 * at);
    p.new_entry = p.writes ? (f.old_entry & ~field) | ((val & mask) << (8 * at)) : f.old_entry;
    return p;
}

void commit_pte_write(const PteWritePlan& p, GuestRegs& r)
{
    r.rip += p.length;
    if (p.reg != kNoReg) {
        uint64_t& g = gpr(r, p.reg & 15);
        switch (p.reg_width) {
        case 8: g = p.reg_value; break;
        case 4: g = p.reg_value & 0xffffffffu; break;  // 32-bit writes zero-extend
        case 2: g = (g & ~uint64_t{0xffff}) | (p.reg_value & 0xffff); break;
        default:
            if (p.reg_high_byte)
                g = (g & ~uint64_t{0xff00}) | ((p.reg_value & 0xff) << 8);
            else
                g = (g & ~uint64_t{0xff}) | (p.reg_value & 0xff);
            break;
        }
    }
    r.rflags = (r.rflags & ~p.flags_mask) | (p.flags & p.flags_mask);
}

}  // namespace vireo
