using System.Text;

namespace LlmRouting;

/// <summary>Low-cardinality, content-free names for failures, for <c>error.type</c> and the request log.</summary>
internal static class ErrorTypes
{
    public const string Cancelled = "cancelled";
    public const string NoEligibleDeployment = "no_eligible_deployment";

    /// <summary>Names a request-level failure: the error kind for provider failures, a snake_case name for LlmRouting's own exceptions.</summary>
    public static string Of(Exception error)
    {
        switch (error)
        {
            case OperationCanceledException:
                return Cancelled;
            case LlmProviderException provider:
                return provider.Kind.ToTelemetryName();
            case AllAttemptsFailedException { InnerException: { } inner }:
                return Of(inner);
            case NoEligibleDeploymentException:
                return NoEligibleDeployment;
            case LlmRoutingException routing:
                return SnakeCase(routing.GetType().Name);
        }

        LlmErrorKind kind = LlmErrorClassifier.Classify(error);
        return kind != LlmErrorKind.Unknown ? kind.ToTelemetryName() : error.GetType().FullName ?? error.GetType().Name;
    }

    /// <summary>Names an attempt-level failure by its error kind.</summary>
    public static string OfAttempt(Exception error) => LlmErrorClassifier.Classify(error).ToTelemetryName();

    /// <summary><c>BudgetExceededException</c> → <c>budget_exceeded</c>.</summary>
    internal static string SnakeCase(string typeName)
    {
        ReadOnlySpan<char> name = typeName.AsSpan();
        if (name.EndsWith("Exception", StringComparison.Ordinal))
        {
            name = name[..^"Exception".Length];
        }

        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Length == 0 ? "llm_routing_error" : sb.ToString();
    }
}
