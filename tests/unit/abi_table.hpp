// A name and a number: one line of the ABI comparison.
#pragma once

#include <cstddef>

struct AbiEntry {
    const char* name;
    unsigned long long value;
};

extern const AbiEntry kOurAbi[];
extern const size_t kOurAbiCount;
