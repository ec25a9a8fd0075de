# expected improvement and its logarithm (Ament et al. 2023) -- included by
# bindings/gp.pyx

cdef double _C1 = 0.5 * log(2.0 * M_PI)
cdef double _C2 = 0.5 * log(0.5 * M_PI)
cdef double _INV_SQRT2 = 1.0 / sqrt(2.0)
cdef double _INV_SQRT2PI = 1.0 / sqrt(2.0 * M_PI)


cdef inline double _h(double z) noexcept nogil:
    """phi(z) + z Phi(z): EI of a unit normal at standardised improvement z."""
    return exp(-0.5 * z * z) * _INV_SQRT2PI + z * _ndtr_f(z)


cdef inline double _log1mexp(double x) noexcept nogil:
    """log(1 - exp(x)) for x < 0."""
    if x > -0.6931471805599453:
        return log(-expm1(x))
    return log1p(-exp(x))


cdef double _Z_TAIL = -1e6  # below, the asymptotic form (BoTorch's float64 bound)
cdef double _Z_SURE = 40.0  # above, Phi(z) == 1 and phi(z) < 1e-347: EI is the improvement


cdef inline double _log_h(double z) noexcept nogil:
    """log(phi(z) + z Phi(z)) without underflow (Ament et al., 2023, eq. 9); below
    _Z_TAIL, log1mexp's argument would round to 0 and the series' first terms are exact."""
    if z > -1.0:
        return log(_h(z))
    if z > _Z_TAIL:
        return -0.5 * z * z - _C1 + _log1mexp(log(_erfcx_f(-z * _INV_SQRT2) * fabs(z)) + _C2)
    return -0.5 * z * z - _C1 - 2.0 * log(fabs(z))


def expected_improvement(const double[::1] mu, const double[::1] sigma, double best,
                         double xi):
    """EI for minimisation, ``E[max(best - xi - f, 0)]``, ``f ~ N(mu, sigma^2)``; ``(n,)``."""
    cdef Py_ssize_t n = mu.shape[0], i
    out = np.empty(n)
    cdef double[::1] o = out
    cdef double imp, z
    with nogil:
        for i in range(n):
            imp = best - xi - mu[i]
            if sigma[i] > 0.0:
                z = imp / sigma[i]  # inf when imp / sigma overflows: then EI is imp
                # the direct form cancels for z << 0; the log form keeps every digit there
                if z > _Z_SURE:
                    o[i] = imp
                else:
                    o[i] = sigma[i] * (_h(z) if z > -1.0 else exp(_log_h(z)))
            else:
                o[i] = imp if imp > 0.0 else 0.0
    return out


def log_expected_improvement(const double[::1] mu, const double[::1] sigma, double best,
                             double xi):
    """``log EI`` for minimisation, accurate far in the tail; ``(n,)`` (``-inf`` only when
    ``sigma == 0`` and there is no improvement)."""
    cdef Py_ssize_t n = mu.shape[0], i
    out = np.empty(n)
    cdef double[::1] o = out
    cdef double imp
    with nogil:
        for i in range(n):
            imp = best - xi - mu[i]
            if sigma[i] > 0.0 and imp / sigma[i] > _Z_SURE:
                # log(imp), halved first so that an improvement beyond 1.8e308 has its log
                o[i] = log(0.5 * best - 0.5 * xi - 0.5 * mu[i]) + M_LN2
            elif sigma[i] > 0.0:
                o[i] = log(sigma[i]) + _log_h(imp / sigma[i])
            else:
                o[i] = log(imp) if imp > 0.0 else -INFINITY
    return out
