namespace LlmRouting;

/// <summary>Entity type names used by the built-in detectors, in reports and in audit events.</summary>
public static class PiiEntityTypes
{
    /// <summary>An e-mail address.</summary>
    public const string EmailAddress = "EMAIL_ADDRESS";

    /// <summary>A payment card number that passes the Luhn check.</summary>
    public const string CreditCard = "CREDIT_CARD";
}
