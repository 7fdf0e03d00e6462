using System.Threading.RateLimiting;

namespace LlmRouting;

/// <summary>A lease of <see cref="DeploymentRateLimiter"/>. A streamed attempt detaches it so that its concurrency slot is held until the stream ends.</summary>
internal sealed class DeploymentLease : RateLimitLease
{
    private static readonly string[] s_rejectedMetadata = [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];
    private readonly DeploymentRateLimiter? _limiter;
    private readonly DeploymentRateLimiter.TokenEntry? _entry;
    private readonly string? _reason;
    private readonly TimeSpan? _retryAfter;
    private int _released;
    private volatile bool _detached;

    public DeploymentLease(DeploymentRateLimiter limiter, DeploymentRateLimiter.TokenEntry entry)
    {
        _limiter = limiter;
        _entry = entry;
    }

    private DeploymentLease(string reason, TimeSpan? retryAfter)
    {
        _reason = reason;
        _retryAfter = retryAfter;
        _released = 1;
    }

    /// <inheritdoc/>
    public override bool IsAcquired => _limiter is not null;

    /// <summary>Gets which limit refused the lease (see <see cref="RateLimitingConstants"/>).</summary>
    public string? Reason => _reason;

    /// <inheritdoc/>
    public override IEnumerable<string> MetadataNames => IsAcquired ? [] : s_rejectedMetadata;

    public static DeploymentLease Rejected(string reason, TimeSpan? retryAfter) => new(reason, retryAfter);

    /// <inheritdoc/>
    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (!IsAcquired && metadataName == MetadataName.RetryAfter.Name && _retryAfter is { } wait)
        {
            metadata = wait;
            return true;
        }

        if (!IsAcquired && metadataName == MetadataName.ReasonPhrase.Name)
        {
            metadata = _reason;
            return true;
        }

        metadata = null;
        return false;
    }

    /// <summary>Gets a value indicating whether the lease still needs the fleet's admission (<see cref="ISharedRateLimitGate"/>) before the attempt may start.</summary>
    public bool NeedsAdmission => _entry?.NeedsAdmission == true;

    /// <summary>Gets or sets the fleet's admission of this lease, if the deployment's limits are shared through a gate.</summary>
    public SharedAdmission? Admission { get; set; }

    /// <summary>Asks the fleet's gate to admit this lease (outside any lock).</summary>
    public ValueTask<SharedAdmission> AdmitAsync(CancellationToken cancellationToken) => _limiter!.AdmitAsync(_entry!, cancellationToken);

    /// <summary>Takes the lease back (the fleet refused it, or asking failed): its counts are undone and its concurrency slot is freed.</summary>
    public void Revoke()
    {
        if (_limiter is not null && _entry is not null)
        {
            _limiter.Revoke(_entry);
            Release();
        }
    }

    /// <summary>Keeps the slot after the pipeline disposes the lease; <see cref="Release"/> frees it.</summary>
    public void Detach() => _detached = true;

    /// <summary>Replaces the token estimate with the actual usage (locally at once; with the fleet's gate off the request path).</summary>
    public void Settle(long actualTokens)
    {
        if (_limiter is not null && _entry is not null)
        {
            _limiter.Settle(_entry, actualTokens);
            if (Admission is { } admission)
            {
                _limiter.SettleShared(admission, actualTokens);
            }
        }
    }

    /// <summary>Frees the concurrency slot (once).</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _limiter!.Release();
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!_detached)
        {
            Release();
        }

        base.Dispose(disposing);
    }
}
