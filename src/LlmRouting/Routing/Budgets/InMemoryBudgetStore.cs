namespace LlmRouting;

/// <summary>
/// The default <see cref="IBudgetStore"/>: per-process accounts. Reservations across several accounts are atomic (one lock),
/// so concurrent requests never reserve more than a budget has left.
/// </summary>
/// <remarks>
/// Calendar periods are UTC hours, days and months. Rolling windows keep 60 slices per period (1 minute for an hour,
/// 24 minutes for a day, 12 hours for 30 days); a settled amount counts in the slice of the moment it settles. Reserved amounts belong
/// to requests in flight and survive a period change. Thread-safe.
/// </remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private readonly Dictionary<string, AccountState> _accounts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _open = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="InMemoryBudgetStore"/> class.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemoryBudgetStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public ValueTask<BudgetUsage> GetUsageAsync(BudgetAccount account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            return new(State(account).Usage(account, now));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A charge is negative.</exception>
    public ValueTask<BudgetReservation?> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charges);
        cancellationToken.ThrowIfCancellationRequested();
        BudgetCharges.Validate(charges);

        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            // Several charges on one account (unusual) must fit together.
            var needed = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (BudgetCharge c in charges)
            {
                needed[c.Account.Id] = needed.GetValueOrDefault(c.Account.Id) + c.AmountUsd;
            }

            foreach (BudgetCharge c in charges)
            {
                BudgetUsage usage = State(c.Account).Usage(c.Account, now);
                if (needed[c.Account.Id] > usage.RemainingUsd)
                {
                    return new((BudgetReservation?)null);
                }
            }

            foreach (BudgetCharge c in charges)
            {
                State(c.Account).Reserved += c.AmountUsd;
            }

            var reservation = new BudgetReservation(Guid.NewGuid().ToString("N"), [.. charges]);
            _open.Add(reservation.Id);
            return new(reservation);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="actualUsd"/> does not have one amount per charge.</exception>
    public ValueTask SettleAsync(BudgetReservation reservation, IReadOnlyList<decimal> actualUsd, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentNullException.ThrowIfNull(actualUsd);
        if (actualUsd.Count != reservation.Charges.Count)
        {
            throw new ArgumentException("Settle needs one actual amount per reserved charge.", nameof(actualUsd));
        }

        Complete(reservation, actualUsd);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        Complete(reservation, null);
        return ValueTask.CompletedTask;
    }

    private void Complete(BudgetReservation reservation, IReadOnlyList<decimal>? actual)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (!_open.Remove(reservation.Id))
            {
                return; // settled or released already, or not ours
            }

            for (int i = 0; i < reservation.Charges.Count; i++)
            {
                BudgetCharge c = reservation.Charges[i];
                AccountState state = State(c.Account);
                state.Reserved = Math.Max(0m, state.Reserved - c.AmountUsd);
                if (actual is not null && actual[i] > 0)
                {
                    state.Spend(c.Account, now, actual[i]);
                }
            }
        }
    }

    private AccountState State(BudgetAccount account)
    {
        if (!_accounts.TryGetValue(account.Id, out AccountState? state))
        {
            state = new AccountState();
            _accounts.Add(account.Id, state);
        }

        return state;
    }

    private sealed class AccountState
    {
        private readonly long[] _sliceIds = new long[BudgetPeriods.RollingSlices];
        private readonly decimal[] _slices = new decimal[BudgetPeriods.RollingSlices];
        private DateTimeOffset _periodStart;
        private decimal _spent;

        public decimal Reserved { get; set; }

        public BudgetUsage Usage(BudgetAccount account, DateTimeOffset now)
        {
            if (account.Window == BudgetWindow.Rolling)
            {
                long current = BudgetPeriods.Slice(now, account.Period);
                decimal spent = 0m;
                for (int i = 0; i < _slices.Length; i++)
                {
                    if (_sliceIds[i] > current - BudgetPeriods.RollingSlices && _sliceIds[i] <= current)
                    {
                        spent += _slices[i];
                    }
                }

                return new BudgetUsage(account.LimitUsd, spent, Reserved, BudgetPeriods.SliceStart(current - BudgetPeriods.RollingSlices + 1, account.Period), null);
            }

            DateTimeOffset start = BudgetPeriods.CalendarStart(now, account.Period);
            decimal calendarSpent = start == _periodStart ? _spent : 0m;
            return new BudgetUsage(account.LimitUsd, calendarSpent, Reserved, start, BudgetPeriods.CalendarEnd(start, account.Period));
        }

        public void Spend(BudgetAccount account, DateTimeOffset now, decimal amount)
        {
            if (account.Window == BudgetWindow.Rolling)
            {
                long current = BudgetPeriods.Slice(now, account.Period);
                int i = (int)(current % BudgetPeriods.RollingSlices);
                if (_sliceIds[i] != current)
                {
                    _sliceIds[i] = current;
                    _slices[i] = 0m;
                }

                _slices[i] += amount;
                return;
            }

            DateTimeOffset start = BudgetPeriods.CalendarStart(now, account.Period);
            if (start != _periodStart)
            {
                _periodStart = start;
                _spent = 0m;
            }

            _spent += amount;
        }
    }
}
