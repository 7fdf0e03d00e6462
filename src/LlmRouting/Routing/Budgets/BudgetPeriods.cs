namespace LlmRouting;

/// <summary>Period arithmetic shared by budget stores: UTC calendar boundaries and rolling windows of 60 slices.</summary>
internal static class BudgetPeriods
{
    public const int RollingSlices = 60;

    public static DateTimeOffset CalendarStart(DateTimeOffset now, BudgetPeriod period)
    {
        DateTimeOffset u = now.ToUniversalTime();
        return period switch
        {
            BudgetPeriod.Hour => new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero),
            BudgetPeriod.Day => new DateTimeOffset(u.Year, u.Month, u.Day, 0, 0, 0, TimeSpan.Zero),
            BudgetPeriod.Month => new DateTimeOffset(u.Year, u.Month, 1, 0, 0, 0, TimeSpan.Zero),
            _ => throw new ArgumentOutOfRangeException(nameof(period), period, null),
        };
    }

    public static DateTimeOffset CalendarEnd(DateTimeOffset start, BudgetPeriod period) => period switch
    {
        BudgetPeriod.Hour => start.AddHours(1),
        BudgetPeriod.Day => start.AddDays(1),
        BudgetPeriod.Month => start.AddMonths(1),
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, null),
    };

    public static TimeSpan RollingLength(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Hour => TimeSpan.FromHours(1),
        BudgetPeriod.Day => TimeSpan.FromDays(1),
        BudgetPeriod.Month => TimeSpan.FromDays(30),
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, null),
    };

    /// <summary>The index of the rolling slice <paramref name="now"/> falls in (slices are period / 60 long, counted from the Unix epoch).</summary>
    public static long Slice(DateTimeOffset now, BudgetPeriod period) =>
        (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (RollingLength(period).Ticks / RollingSlices);

    public static DateTimeOffset SliceStart(long slice, BudgetPeriod period) =>
        DateTimeOffset.UnixEpoch.AddTicks(slice * (RollingLength(period).Ticks / RollingSlices));
}
