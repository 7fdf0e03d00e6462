using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmRouting;

/// <summary>
/// The client-side limits of one deployment as one <see cref="RateLimiter"/>: concurrency, requests per minute and tokens per minute
/// over rolling windows, plus what the provider said (rate-limit headers, Retry-After). A lease's permit count is the request's token
/// estimate; the lease settles to the actual usage and frees the concurrency slot when the attempt ends. Never queues: a saturated
/// deployment is skipped by routing, not waited on. The built-in window limiters of System.Threading.RateLimiting run on the system
/// clock; this one runs on a <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// With a shared store that is also an <see cref="ISharedRateLimitGate"/>, a lease of a deployment with per-minute limits still
/// needs the fleet's admission (<see cref="AdmitAsync"/>, awaited outside the lock by the pipeline); a refused lease is revoked.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class DeploymentRateLimiter : RateLimiter
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly int? _requestsPerMinute;
    private readonly long? _tokensPerMinute;
    private readonly int? _maxConcurrency;
    private readonly bool _honorProviderHeaders;
    private readonly long _window;
    private readonly Queue<TokenEntry> _requests = new();
    private readonly Queue<TokenEntry> _tokens = new();
    private long _tokensInWindow;
    private int _requestsInWindow;
    private int _inFlight;
    private long _cooldownUntil;
    private long? _providerRemainingRequests;
    private long _providerRequestsResetAt;
    private long? _providerRemainingTokens;
    private long _providerTokensResetAt;
    private long? _providerLimitRequests;
    private long? _providerLimitTokens;
    private long _successful;
    private long _failed;
    private long _idleSince;

    private readonly IRateLimitCounterStore? _shared;
    private readonly ISharedRateLimitGate? _admission;
    private readonly string _deployment;
    private readonly ILogger _logger;

    public DeploymentRateLimiter(
        int? requestsPerMinute,
        long? tokensPerMinute,
        int? maxConcurrency,
        bool honorProviderHeaders,
        TimeProvider time,
        IRateLimitCounterStore? shared = null,
        string deployment = "",
        ILogger? logger = null)
    {
        _shared = shared;
        _admission = shared as ISharedRateLimitGate;
        _deployment = deployment;
        _logger = logger ?? NullLogger.Instance;
        _requestsPerMinute = requestsPerMinute;
        _tokensPerMinute = tokensPerMinute;
        _maxConcurrency = maxConcurrency;
        _honorProviderHeaders = honorProviderHeaders;
        _time = time;
        _window = ToUnits(RateLimitingConstants.Window);
        _idleSince = time.GetTimestamp();
    }

    /// <inheritdoc/>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                return _inFlight > 0 ? null : _time.GetElapsedTime(_idleSince);
            }
        }
    }

    /// <summary>Gets the number of attempts holding a concurrency slot.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Gets a value indicating whether token usage matters to this limiter (so attempts should report it).</summary>
    public bool TracksTokens
    {
        get
        {
            lock (_gate)
            {
                return _tokensPerMinute is not null || _providerLimitTokens is not null || _providerRemainingTokens is not null;
            }
        }
    }

    /// <summary>Says whether a request estimated at <paramref name="tokens"/> tokens could start now, and if not why and for how long.</summary>
    public (bool Available, string? Reason, TimeSpan? RetryAfter) Check(long tokens)
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            Prune(now);
            return Evaluate(now, Math.Max(0, tokens));
        }
    }

    /// <summary>Tightens the limits with what the provider reported.</summary>
    /// <param name="info">Rate-limit headers of a reply, if any.</param>
    /// <param name="retryAfter">A Retry-After of a reply, if any: the deployment cools down for every request until it passes.</param>
    public void Observe(RateLimitInfo? info, TimeSpan? retryAfter)
    {
        if (!_honorProviderHeaders || (info is null && retryAfter is null))
        {
            return;
        }

        lock (_gate)
        {
            long now = _time.GetTimestamp();
            if (retryAfter is { } wait && wait > TimeSpan.Zero)
            {
                _cooldownUntil = Math.Max(_cooldownUntil, now + ToUnits(wait));
            }

            if (info is null)
            {
                return;
            }

            if (info.LimitRequests is > 0)
            {
                _providerLimitRequests = info.LimitRequests;
            }

            if (info.LimitTokens is > 0)
            {
                _providerLimitTokens = info.LimitTokens;
            }

            if (info.RemainingRequests is { } requests)
            {
                _providerRemainingRequests = requests;
                _providerRequestsResetAt = now + ToUnits(info.ResetRequests ?? RateLimitingConstants.Window);
            }

            if (info.RemainingTokens is { } tokens)
            {
                _providerRemainingTokens = tokens;
                _providerTokensResetAt = now + ToUnits(info.ResetTokens ?? RateLimitingConstants.Window);
            }
        }
    }

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _maxConcurrency is int max ? Math.Max(0, max - _inFlight) : long.MaxValue,
                CurrentQueuedCount = 0,
                TotalFailedLeases = _failed,
                TotalSuccessfulLeases = _successful,
            };
        }
    }

    /// <summary>Frees the concurrency slot of a lease.</summary>
    internal void Release()
    {
        lock (_gate)
        {
            if (--_inFlight == 0)
            {
                _idleSince = _time.GetTimestamp();
            }
        }
    }

    /// <summary>Replaces a lease's token estimate with the actual usage.</summary>
    internal void Settle(TokenEntry entry, long actualTokens)
    {
        lock (_gate)
        {
            actualTokens = Math.Max(0, actualTokens);
            if (entry.InWindow)
            {
                _tokensInWindow += actualTokens - entry.Tokens;
            }

            if (_shared is not null && entry.Shared)
            {
                _shared.Add(_deployment, entry.Wall, 0, actualTokens - entry.Tokens);
            }

            entry.Tokens = actualTokens;
            if (_providerRemainingTokens is { } remaining && entry.CountedAgainstProvider)
            {
                _providerRemainingTokens = remaining + entry.Estimate - actualTokens;
            }
        }
    }

    /// <summary>Takes back a lease the fleet refused: its request and tokens leave the counts, as if it never started.</summary>
    internal void Revoke(TokenEntry entry)
    {
        lock (_gate)
        {
            if (entry.Revoked)
            {
                return;
            }

            entry.Revoked = true;
            _successful--;
            _failed++;
            if (entry.InRequests)
            {
                entry.InRequests = false;
                _requestsInWindow--;
            }

            if (entry.InWindow)
            {
                _tokensInWindow -= entry.Tokens;
            }

            if (_shared is not null && entry.Shared)
            {
                _shared.Add(_deployment, entry.Wall, -1, -entry.Tokens);
            }

            if (entry.CountedRequestAgainstProvider && _providerRemainingRequests is { } requests)
            {
                _providerRemainingRequests = requests + 1;
            }

            if (entry.CountedAgainstProvider && _providerRemainingTokens is { } remaining)
            {
                _providerRemainingTokens = remaining + entry.Tokens;
            }

            entry.Tokens = 0;
        }
    }

    /// <summary>Asks the fleet's gate to admit a lease that needs it (<see cref="DeploymentLease.NeedsAdmission"/>); call outside any lock.</summary>
    /// <returns>The gate's answer; an admission marked local-only when the gate failed (fail-open, logged).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal async ValueTask<SharedAdmission> AdmitAsync(TokenEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            return await _admission!.TryAcquireAsync(_deployment, entry.SharedRequestsPerMinute, entry.SharedTokensPerMinute, entry.Estimate, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failing shared gate must not fail the request: the local limits still apply (fail-open).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ResilienceLog.SharedAdmissionFailed(_logger, _deployment, ex.GetType().Name);
            return SharedAdmission.Admitted(entry.Estimate, isLocalOnly: true);
        }
    }

    /// <summary>Settles an admitted request's tokens with the fleet's gate, off the request path (failures are logged, never thrown).</summary>
    internal void SettleShared(SharedAdmission admission, long actualTokens)
    {
        actualTokens = Math.Max(0, actualTokens);
        if (_admission is null || !admission.IsAcquired || actualTokens == admission.Tokens)
        {
            return;
        }

        _ = SettleSharedAsync(_admission, admission, actualTokens);
    }

    private async Task SettleSharedAsync(ISharedRateLimitGate gate, SharedAdmission admission, long actualTokens)
    {
        try
        {
            await gate.SettleAsync(_deployment, admission, actualTokens, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Fire-and-forget: the answer is already produced; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ResilienceLog.SharedSettleFailed(_logger, _deployment, ex.GetType().Name);
        }
    }

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        long tokens = Math.Max(0, permitCount);
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            Prune(now);
            (bool available, string? reason, TimeSpan? retryAfter) = Evaluate(now, tokens);
            if (!available)
            {
                _failed++;
                return DeploymentLease.Rejected(reason!, retryAfter);
            }

            _successful++;
            _inFlight++;
            var entry = new TokenEntry { At = now, Tokens = tokens, Estimate = tokens };
            if (EffectiveRequestsPerMinute is not null)
            {
                entry.InRequests = true;
                _requests.Enqueue(entry);
                _requestsInWindow++;
            }

            if (_providerRemainingRequests is { } requests && now < _providerRequestsResetAt)
            {
                entry.CountedRequestAgainstProvider = true;
                _providerRemainingRequests = requests - 1;
            }

            if (_shared is not null && (EffectiveRequestsPerMinute is not null || EffectiveTokensPerMinute is not null))
            {
                if (_admission is not null)
                {
                    // The fleet's gate counts the request when it admits it (outside this lock).
                    entry.NeedsAdmission = true;
                    entry.SharedRequestsPerMinute = EffectiveRequestsPerMinute;
                    entry.SharedTokensPerMinute = EffectiveTokensPerMinute;
                }
                else
                {
                    entry.Shared = true;
                    entry.Wall = _time.GetUtcNow();
                    _shared.Add(_deployment, entry.Wall, 1, tokens);
                }
            }

            if (EffectiveTokensPerMinute is not null)
            {
                entry.InWindow = true;
                _tokens.Enqueue(entry);
                _tokensInWindow += tokens;
            }

            if (_providerRemainingTokens is { } remaining && now < _providerTokensResetAt)
            {
                entry.CountedAgainstProvider = true;
                _providerRemainingTokens = remaining - tokens;
            }

            return new DeploymentLease(this, entry);
        }
    }

    /// <inheritdoc/>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<RateLimitLease>(AttemptAcquireCore(permitCount));
    }

    private long? EffectiveRequestsPerMinute => Min(_requestsPerMinute, _providerLimitRequests);

    private long? EffectiveTokensPerMinute => Min(_tokensPerMinute, _providerLimitTokens);

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private (bool Available, string? Reason, TimeSpan? RetryAfter) Evaluate(long now, long tokens)
    {
        if (_cooldownUntil > now)
        {
            return (false, RateLimitingConstants.RetryAfter, Until(now, _cooldownUntil));
        }

        if (_maxConcurrency is int max && _inFlight >= max)
        {
            return (false, RateLimitingConstants.Concurrency, null);
        }

        RateLimitCounts? fleet = _shared is not null && (EffectiveRequestsPerMinute is not null || EffectiveTokensPerMinute is not null)
            ? _shared.Get(_deployment, _time.GetUtcNow())
            : null;
        if (fleet is { } counts)
        {
            // Shared counts: the whole fleet's requests and tokens in the window; they free when the oldest request leaves it.
            TimeSpan? frees = counts.OldestAt is { } oldest ? Positive(oldest + RateLimitingConstants.Window - _time.GetUtcNow()) : null;
            if (EffectiveRequestsPerMinute is long sharedRpm && counts.Requests >= sharedRpm && counts.Requests > 0)
            {
                return (false, RateLimitingConstants.RequestsPerMinute, frees);
            }

            if (EffectiveTokensPerMinute is long sharedTpm && counts.Tokens > 0 && counts.Tokens + tokens > sharedTpm)
            {
                return (false, RateLimitingConstants.TokensPerMinute, frees);
            }
        }
        else if (EffectiveRequestsPerMinute is long rpm && _requestsInWindow >= rpm && _requestsInWindow > 0)
        {
            return (false, RateLimitingConstants.RequestsPerMinute, Until(now, OldestRequest() + _window));
        }

        if (_providerRemainingRequests is <= 0 && now < _providerRequestsResetAt)
        {
            return (false, RateLimitingConstants.ProviderRequests, Until(now, _providerRequestsResetAt));
        }

        if (fleet is null && EffectiveTokensPerMinute is long tpm && _tokensInWindow > 0 && _tokensInWindow + tokens > tpm)
        {
            // Wait until enough of the window's tokens have aged out (a request larger than the whole budget waits for an empty window).
            long excess = _tokensInWindow + tokens - tpm;
            long freed = 0, at = now;
            foreach (TokenEntry e in _tokens)
            {
                freed += e.Tokens;
                at = e.At + _window;
                if (freed >= excess)
                {
                    break;
                }
            }

            return (false, RateLimitingConstants.TokensPerMinute, Until(now, at));
        }

        if (_providerRemainingTokens is { } remaining && now < _providerTokensResetAt && tokens > remaining)
        {
            return (false, RateLimitingConstants.ProviderTokens, Until(now, _providerTokensResetAt));
        }

        return (true, null, null);
    }

    private void Prune(long now)
    {
        long cutoff = now - _window;
        while (_requests.Count > 0 && (_requests.Peek().At <= cutoff || !_requests.Peek().InRequests))
        {
            TokenEntry e = _requests.Dequeue();
            if (e.InRequests)
            {
                e.InRequests = false;
                _requestsInWindow--;
            }
        }

        while (_tokens.Count > 0 && _tokens.Peek().At <= cutoff)
        {
            TokenEntry e = _tokens.Dequeue();
            e.InWindow = false;
            _tokensInWindow -= e.Tokens;
        }
    }

    private long OldestRequest() => _requests.Count > 0 ? _requests.Peek().At : _time.GetTimestamp(); // pruned: the head counts

    private static TimeSpan Positive(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.Zero;

    private TimeSpan Until(long now, long at) => at <= now ? TimeSpan.Zero : _time.GetElapsedTime(now, at);

    private long ToUnits(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>The tokens one acquired lease counts against the window.</summary>
    internal sealed class TokenEntry
    {
        public long At;
        public long Tokens;
        public long Estimate;
        public bool InWindow;
        public bool CountedAgainstProvider;
        public bool Shared;
        public DateTimeOffset Wall;
        public bool InRequests;
        public bool CountedRequestAgainstProvider;
        public bool Revoked;
        public bool NeedsAdmission;
        public long? SharedRequestsPerMinute;
        public long? SharedTokensPerMinute;
    }
}
