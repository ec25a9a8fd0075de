# How the kernels spread work over Julia's threads.

"""
    _tasks(f, n)

Call `f(i)` for `i in 1:n`: on the calling task where there is nothing to share (`n <= 1`
or one Julia thread: `Threads.@threads` would still spawn a task), else spread over the
threads by `Threads.@threads`. `f` is a closure over concrete arrays; the kernels keep
their loops behind function barriers, so the closure only forwards arguments.
"""
function _tasks(f::F, n::Int) where {F}
    if n <= 1 || Threads.nthreads() == 1
        for i in 1:n
            f(i)
        end
    else
        Threads.@threads for i in 1:n
            f(i)
        end
    end
    return nothing
end
