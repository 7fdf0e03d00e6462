namespace LlmRouting;

/// <summary>A detected sensitive value in a text.</summary>
/// <param name="Start">The index of the first character.</param>
/// <param name="Length">The length in characters.</param>
/// <param name="EntityType">The entity type (e.g. <see cref="PiiEntityTypes.EmailAddress"/>).</param>
public readonly record struct PiiMatch(int Start, int Length, string EntityType)
{
    /// <summary>Gets the index just past the last character.</summary>
    public int End => Start + Length;

    /// <summary>
    /// Gets the finer format within <see cref="EntityType"/>, when the detector knows it: for <see cref="PiiEntityTypes.Secret"/>
    /// the key format (e.g. <c>openai</c>, <c>aws_access_key_id</c>, <c>github_pat</c>, <c>private_key</c>, <c>password</c>);
    /// for <see cref="PiiEntityTypes.CryptoWallet"/> the address kind (e.g. <c>btc_bech32</c>, <c>eth</c>). Never the value itself.
    /// </summary>
    public string? Subtype { get; init; }
}
