// Reading a Linux bzImage (Documentation/arch/x86/boot.rst): a real-mode
// setup part, then protected-mode code that carries the compressed vmlinux
// as its "payload". Vireo boots the payload as a PV kernel, so all it needs
// from the bzImage is where the payload is and how big it will become.
// Every field is untrusted.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "hv/core/pv_image.hpp"  // ImageError
#include "lib/xz_decoder.hpp"

namespace vireo {

struct BzImagePayload {
    const uint8_t* payload = nullptr;  // the xz data, without Linux's 4-byte size trailer
    size_t payload_len = 0;
    size_t uncompressed_size = 0;      // of the vmlinux ELF (relocations appended)
};

// The setup header's "HdrS" magic is present: this is meant to be a bzImage
// (find_bzimage_payload then says whether it is a usable one).
bool is_bzimage(const uint8_t* data, size_t size);

// Finds the payload of the bzImage data[0, size). Only xz payloads are
// accepted (NOT_SUPPORTED names the compression of any other); the size
// Linux appends after the payload must agree with the xz index.
ImageError find_bzimage_payload(const uint8_t* data, size_t size, BzImagePayload& out);

// Decompresses `p` into out[0, out_cap); the result must have exactly
// p.uncompressed_size bytes.
ImageError unpack_bzimage_payload(const BzImagePayload& p, uint8_t* out, size_t out_cap, XzWorkspace& work);

}  // namespace vireo
