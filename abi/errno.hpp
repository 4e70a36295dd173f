// Xen's errno values (xen/include/public/errno.h): hypercalls return them
// negated.
#pragma once

namespace xen {

inline constexpr int XEN_EPERM = 1;
inline constexpr int XEN_ENOENT = 2;
inline constexpr int XEN_ESRCH = 3;
inline constexpr int XEN_EINTR = 4;
inline constexpr int XEN_EIO = 5;
inline constexpr int XEN_ENXIO = 6;
inline constexpr int XEN_E2BIG = 7;
inline constexpr int XEN_ENOEXEC = 8;
inline constexpr int XEN_EBADF = 9;
inline constexpr int XEN_ECHILD = 10;
inline constexpr int XEN_EAGAIN = 11;
inline constexpr int XEN_ENOMEM = 12;
inline constexpr int XEN_EACCES = 13;
inline constexpr int XEN_EFAULT = 14;
inline constexpr int XEN_EBUSY = 16;
inline constexpr int XEN_EEXIST = 17;
inline constexpr int XEN_EXDEV = 18;
inline constexpr int XEN_ENODEV = 19;
inline constexpr int XEN_EINVAL = 22;
inline constexpr int XEN_ENFILE = 23;
inline constexpr int XEN_EMFILE = 24;
inline constexpr int XEN_ENOSPC = 28;
inline constexpr int XEN_EROFS = 30;
inline constexpr int XEN_EMLINK = 31;
inline constexpr int XEN_EDOM = 33;
inline constexpr int XEN_ERANGE = 34;
inline constexpr int XEN_EDEADLK = 35;
inline constexpr int XEN_ENAMETOOLONG = 36;
inline constexpr int XEN_ENOLCK = 37;
inline constexpr int XEN_ENOSYS = 38;
inline constexpr int XEN_ENOTEMPTY = 39;
inline constexpr int XEN_ENODATA = 61;
inline constexpr int XEN_ETIME = 62;
inline constexpr int XEN_EBADMSG = 74;
inline constexpr int XEN_EOVERFLOW = 75;
inline constexpr int XEN_EILSEQ = 84;
inline constexpr int XEN_ERESTART = 85;
inline constexpr int XEN_ENOTSOCK = 88;
inline constexpr int XEN_EOPNOTSUPP = 95;
inline constexpr int XEN_EADDRINUSE = 98;
inline constexpr int XEN_EADDRNOTAVAIL = 99;
inline constexpr int XEN_ENOBUFS = 105;
inline constexpr int XEN_EISCONN = 106;
inline constexpr int XEN_ENOTCONN = 107;
inline constexpr int XEN_ETIMEDOUT = 110;

}  // namespace xen
