namespace LlmRouting;

/// <summary>
/// Entity type names used by the built-in detectors, in reports and in audit events. The names follow the Presidio
/// convention (<c>EMAIL_ADDRESS</c>, <c>PHONE_NUMBER</c>, …) so results compare directly with other tools.
/// </summary>
public static class PiiEntityTypes
{
    /// <summary>An e-mail address.</summary>
    public const string EmailAddress = "EMAIL_ADDRESS";

    /// <summary>A phone number in international or national format.</summary>
    public const string PhoneNumber = "PHONE_NUMBER";

    /// <summary>A payment card number that passes the Luhn check and belongs to a known issuer range.</summary>
    public const string CreditCard = "CREDIT_CARD";

    /// <summary>A United States Social Security number that follows the SSA's allocation rules.</summary>
    public const string UsSsn = "US_SSN";

    /// <summary>An international bank account number with a valid length for its country and a valid mod-97 check.</summary>
    public const string IbanCode = "IBAN_CODE";

    /// <summary>An IPv4 or IPv6 address.</summary>
    public const string IpAddress = "IP_ADDRESS";

    /// <summary>A web address (with a scheme, starting with <c>www.</c>, or a bare domain name).</summary>
    public const string Url = "URL";

    /// <summary>A cryptocurrency wallet address (Bitcoin base58check or bech32/bech32m, Ethereum).</summary>
    public const string CryptoWallet = "CRYPTO_WALLET";

    /// <summary>An API key, token, private key, password or other credential; <see cref="PiiMatch.Subtype"/> names the format.</summary>
    public const string Secret = "SECRET";

    /// <summary>A United States passport number (reported only near words such as "passport").</summary>
    public const string UsPassport = "US_PASSPORT";

    /// <summary>A United States driver's licence number (reported only near words such as "driver's license" or "DL").</summary>
    public const string UsDriverLicense = "US_DRIVER_LICENSE";

    /// <summary>A date of birth (a date reported only near words such as "date of birth", "DOB" or "born").</summary>
    public const string DateOfBirth = "DATE_OF_BIRTH";

    /// <summary>A person's name (opt-in detector).</summary>
    public const string Person = "PERSON";

    /// <summary>A place name: city, region or country (opt-in detector).</summary>
    public const string Location = "LOCATION";

    /// <summary>A street or postal address (opt-in detector).</summary>
    public const string Address = "ADDRESS";
}
