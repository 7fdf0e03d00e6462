namespace LlmRouting;

/// <summary>An API key that never prints itself: <see cref="ToString"/> returns a fixed mask, so a key cannot reach a log, trace or exception by accident.</summary>
public sealed class ApiKeySecret
{
    private readonly string _value;

    /// <summary>Initializes a new instance of the <see cref="ApiKeySecret"/> class.</summary>
    /// <param name="value">The key.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is empty.</exception>
    public ApiKeySecret(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>Returns the key, for the provider adapter that must send it. Never log the result.</summary>
    /// <returns>The key.</returns>
    public string Reveal() => _value;

    /// <summary>Returns a mask, never the key.</summary>
    /// <returns>The text <c>***</c>.</returns>
    public override string ToString() => "***";
}
