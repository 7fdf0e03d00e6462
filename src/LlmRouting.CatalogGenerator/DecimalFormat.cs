namespace LlmRouting.CatalogGenerator;

/// <summary>Stable decimal formatting for the generated catalog.</summary>
internal static class DecimalFormat
{
    /// <summary>Returns <paramref name="value"/> with the smallest scale that represents it exactly (no trailing zeros), so equal prices always serialize the same way.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The same value without trailing zeros, e.g. <c>0.0000100</c> becomes <c>0.00001</c>.</returns>
    public static decimal Normalize(decimal value)
    {
        // Dividing by 1 with 28 zero decimals makes the runtime pick the minimal scale.
        return value / 1.0000000000000000000000000000m;
    }
}
