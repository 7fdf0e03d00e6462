using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LlmRouting.Benchmarks;

/// <summary>
/// CPU time of the calling thread, for <c>--quick-pii</c>: on a machine shared with other work, wall-clock time also counts
/// the time spent waiting for a core, CPU time does not. Linux: <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> (nanoseconds);
/// elsewhere the process CPU time (coarser, and it includes other threads).
/// </summary>
internal static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Gets the calling thread's CPU time in nanoseconds.</summary>
    public static double Nanoseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out Timespec t) == 0)
        {
            return (t.Seconds * 1e9) + t.Nanoseconds;
        }

        return Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds * 1e6;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);
}
