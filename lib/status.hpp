// One status enum inside Vireo; the hypercall edge maps it to Xen's errno.
#pragma once

#include <stdint.h>

namespace vireo {

enum class [[nodiscard]] Status : uint8_t {
    OK,
    NO_MEMORY,      // ENOMEM
    INVALID,        // EINVAL
    NOT_FOUND,      // ENOENT
    NO_DOMAIN,      // ESRCH
    PERMISSION,     // EPERM
    ACCESS,         // EACCES
    BUSY,           // EBUSY
    EXISTS,         // EEXIST
    RANGE,          // ERANGE
    NOT_SUPPORTED,  // ENOSYS
    AGAIN,          // EAGAIN
    FAULT,          // EFAULT: a guest address could not be read or written
    RESTART,        // preempted: the dispatcher turns it into a continuation
    TOO_BIG,        // E2BIG
};

// Xen's errno value (positive) for a status; 0 for OK.
constexpr int xen_errno(Status s)
{
    switch (s) {
    case Status::OK: return 0;
    case Status::NO_MEMORY: return 12;
    case Status::INVALID: return 22;
    case Status::NOT_FOUND: return 2;
    case Status::NO_DOMAIN: return 3;
    case Status::PERMISSION: return 1;
    case Status::ACCESS: return 13;
    case Status::BUSY: return 16;
    case Status::EXISTS: return 17;
    case Status::RANGE: return 34;
    case Status::NOT_SUPPORTED: return 38;
    case Status::AGAIN: return 11;
    case Status::FAULT: return 14;
    case Status::RESTART: return 85;  // ERESTART: never reaches a guest
    case Status::TOO_BIG: return 7;
    }
    return 22;
}

const char* status_name(Status s);

// A value or the status that says why there is none.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_value(value), m_status(Status::OK) {}
    Result(Status status) : m_value(), m_status(status) {}

    bool ok() const { return m_status == Status::OK; }
    Status status() const { return m_status; }
    const T& value() const { return m_value; }
    T& value() { return m_value; }
    const T* operator->() const { return &m_value; }
    T* operator->() { return &m_value; }

private:
    T m_value;
    Status m_status;
};

}  // namespace vireo

// Propagate a failed Status (or Result) to the caller.
#define VIREO_TRY(expr)                                             \
    do {                                                            \
        ::vireo::Status vireo_try_status_ = (expr);                 \
        if (vireo_try_status_ != ::vireo::Status::OK)               \
            return vireo_try_status_;                               \
    } while (0)
