namespace LlmRouting.Tests.Redaction.Detectors;

[TestFixture]
public class PatternDetectorTests
{
    private static readonly IPiiDetector Default = PiiDetectors.Default;

    [TestCase("Call me on +44 20 7946 0958 tomorrow", "+44 20 7946 0958")]
    [TestCase("reach Olga at +31 20 342 4056.", "+31 20 342 4056")]
    [TestCase("My US number is (415) 555-0132", "(415) 555-0132")]
    [TestCase("Phone: 030 1234567", "030 1234567")]
    [TestCase("office 001-846-853-9089x92556 fax", "001-846-853-9089x92556")]
    [TestCase("Format this as a vCard: Ana, 0113 496 0661, ana@example.com", "0113 496 0661")]
    [TestCase("Convert to E.164: 13847617073", "13847617073")]
    [TestCase("Birinci: +905321234567", "+905321234567")]
    public void Phone_numbers_in_international_and_national_formats(string text, string expected) =>
        Assert.That(Default.Values(text, PiiEntityTypes.PhoneNumber), Is.EqualTo(new[] { expected }));

    [TestCase("Case number 74068739 was escalated")]
    [TestCase("Part no. 39-6556-453 is out of stock")]
    [TestCase("Is 4294967291 prime?")]
    [TestCase("Convert 1737017960 to local time")]
    [TestCase("Log line: [2025-03-12 07:12:11,237] WARN cache miss")]
    [TestCase("I'd like to call a taxi to 14 3684 Court Street")]
    [TestCase("Windows build 10.0.20768.2210 shows a blue screen")]
    [TestCase("My zip code is 90010-170")]
    public void Phone_look_alikes_are_not_phones(string text) =>
        Assert.That(Default.Values(text, PiiEntityTypes.PhoneNumber), Is.Empty);

    [TestCase("4111 1111 1111 1111", "visa")]
    [TestCase("5500-0000-0000-0004", "mastercard")]
    [TestCase("2221000000000009", "mastercard")]
    [TestCase("378282246310005", "amex")]
    [TestCase("6011111111111117", "discover")]
    [TestCase("3530111333300000", "jcb")]
    [TestCase("30569309025904", "diners")]
    [TestCase("6200000000000005", "unionpay")]
    public void Cards_pass_luhn_and_issuer_ranges(string number, string issuer)
    {
        var found = Default.Find($"card {number} please");
        Assert.That(found, Is.EqualTo(new[] { (PiiEntityTypes.CreditCard, number, (string?)issuer) }));
    }

    [TestCase("Serial 5216 1063 1930 5005 on the label")] // Luhn-invalid
    [TestCase("The barcode 5239619681141 won't scan")]
    [TestCase("id 9999999999999995")] // Luhn-valid, no issuer starts with 9999
    [TestCase("order 1234567890123456")]
    public void Card_look_alikes_are_not_cards(string text) =>
        Assert.That(Default.Values(text, PiiEntityTypes.CreditCard), Is.Empty);

    [TestCase("Here's my SSN: 460-89-9847", "460-89-9847")]
    [TestCase("SSN: 023 06 8864; Phone", "023 06 8864")]
    [TestCase("Name: Ali; SSN: 051428853; Phone", "051428853")]
    [TestCase("customer_name,dob,ssn\nAna,1948-06-07,306 13 2854", "306 13 2854")]
    public void Social_security_numbers(string text, string expected) =>
        Assert.That(Default.Values(text, PiiEntityTypes.UsSsn), Is.EqualTo(new[] { expected }));

    [TestCase("Why does the form reject 952-28-0526 as a social security number?")] // area 9xx
    [TestCase("Placeholder value 666-12-3456 is used")] // area 666
    [TestCase("SSN 000-12-3456")] // area 000
    [TestCase("SSN 123-00-4567")] // group 00
    [TestCase("Placeholder value 370-51-0000 is used")] // serial 0000
    [TestCase("the Woolworth number 078-05-1120")]
    [TestCase("SSN 111-11-1111")]
    [TestCase("number 123456782 with no context")] // nine digits need a context word
    public void Invalid_or_uncontextual_ssns_are_skipped(string text) =>
        Assert.That(Default.Values(text, PiiEntityTypes.UsSsn), Is.Empty);

    [TestCase("IBAN DE89 3704 0044 0532 0130 00 please", "DE89 3704 0044 0532 0130 00")]
    [TestCase("GB82WEST12345698765432", "GB82WEST12345698765432")]
    [TestCase("pay NO9386011117947.", "NO9386011117947")]
    [TestCase("my iban is gb48awjv07221741105646", "gb48awjv07221741105646")]
    public void Ibans_with_valid_length_and_checksum(string text, string expected) =>
        Assert.That(Default.Values(text, PiiEntityTypes.IbanCode), Is.EqualTo(new[] { expected }));

    [TestCase("Our validator rejects DE88 3704 0044 0532 0130 00")] // check digits wrong
    [TestCase("Our validator rejects DE89 3704 0044 0532 0130")] // too short for DE
    [TestCase("code XX89370400440532013000")] // unknown country
    public void Iban_look_alikes_are_skipped(string text) =>
        Assert.That(Default.Values(text, PiiEntityTypes.IbanCode), Is.Empty);

    [TestCase("failed logins from 52.210.136.64.", "52.210.136.64")]
    [TestCase("subnet 10.0.0.0/8", "10.0.0.0/8")]
    [TestCase("logged in from 2001:db8::8a2e:370:7334 at noon", "2001:db8::8a2e:370:7334")]
    [TestCase("NAT64: 64:ff9b::198.51.100.1", "64:ff9b::198.51.100.1")]
    [TestCase("link-local fe80::49d2:9e10:470f:f66e%eth0 up", "fe80::49d2:9e10:470f:f66e%eth0")]
    public void Ip_addresses(string text, string expected) =>
        Assert.That(Default.Values(text, PiiEntityTypes.IpAddress), Is.EqualTo(new[] { expected }));

    [TestCase("my ip: 192.168.0")]
    [TestCase("256.1.1.1 is not an address")]
    [TestCase("version 1.2.3.4 is out")]
    [TestCase("at 10:11:12 UTC")]
    [TestCase("std::vector<int>")]
    [TestCase("::ffff:256.0.0.1")]
    [TestCase("MAC 00:1A:2B:3C:4D:5E")]
    public void Ip_look_alikes_are_skipped(string text) =>
        Assert.That(Default.Values(text, PiiEntityTypes.IpAddress), Is.Empty);

    [TestCase("see https://calendar.fabrikam.io/book/nadia, thanks", "https://calendar.fabrikam.io/book/nadia")]
    [TestCase("reset link: www.example.com/users/sam.", "www.example.com/users/sam")]
    [TestCase("my domains: microsoft.com google.co.il", "microsoft.com", "google.co.il")]
    [TestCase("(see http://en.wikipedia.org/wiki/Luhn)", "http://en.wikipedia.org/wiki/Luhn")]
    public void Urls(string text, params string[] expected) =>
        Assert.That(Default.Values(text, PiiEntityTypes.Url), Is.EqualTo(expected));

    [TestCase("run setup.py and read README.md")]
    [TestCase("write to ana@example.com")]
    [TestCase("call self.name or user.id")]
    [TestCase("e.g. this; i.e. that")]
    public void Url_look_alikes_are_skipped(string text) =>
        Assert.That(Default.Values(text, PiiEntityTypes.Url), Is.Empty);

    [TestCase("Send 0.05 BTC to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT now", "btc_p2pkh")]
    [TestCase("to 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc_p2sh")]
    [TestCase("to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "btc_bech32")]
    [TestCase("taproot bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "btc_bech32")]
    [TestCase("wallet 0x52908400098527886E0F7030069857D2E4169EE7", "eth")]
    public void Crypto_wallets_with_valid_checksums(string text, string subtype)
    {
        var found = Default.Find(text).Where(m => m.Type == PiiEntityTypes.CryptoWallet).ToList();
        Assert.That(found.Select(m => m.Subtype), Is.EqualTo(new[] { subtype }));
    }

    [TestCase("My wallet app says 1BoatSLRHtKNngkdXEeobR76b53LETtpyU has an invalid checksum")] // last char changed
    [TestCase("to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr")] // bech32 checksum broken
    [TestCase("to BC1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")] // mixed case
    [TestCase("mask = 0x3322B618")]
    public void Crypto_look_alikes_are_skipped(string text) =>
        Assert.That(Default.Values(text, PiiEntityTypes.CryptoWallet), Is.Empty);

    [Test]
    public void Passport_licence_and_birth_dates_need_their_key_words()
    {
        Assert.That(Default.Values("Passport number: X79237027.", PiiEntityTypes.UsPassport), Is.EqualTo(new[] { "X79237027" }));
        Assert.That(Default.Values("travelling next week, passport 665274760. What visa?", PiiEntityTypes.UsPassport), Is.EqualTo(new[] { "665274760" }));
        Assert.That(Default.Values("Reference X79237027.", PiiEntityTypes.UsPassport), Is.Empty);

        Assert.That(Default.Values("My Colorado driver's license number is 14-585-1618, it expires", PiiEntityTypes.UsDriverLicense), Is.EqualTo(new[] { "14-585-1618" }));
        Assert.That(Default.Values("My California driver's license number is P5841347.", PiiEntityTypes.UsDriverLicense), Is.EqualTo(new[] { "P5841347" }));
        Assert.That(Default.Values("DL: WDLL33IM1", PiiEntityTypes.UsDriverLicense), Is.EqualTo(new[] { "WDLL33IM1" }));
        Assert.That(Default.Values("Ticket P5841347 is open", PiiEntityTypes.UsDriverLicense), Is.Empty);

        Assert.That(Default.Values("Patient Olga, born 1978-12-04, presented", PiiEntityTypes.DateOfBirth), Is.EqualTo(new[] { "1978-12-04" }));
        Assert.That(Default.Values("Name: Laura; DOB: 28 Apr 1983; SSN", PiiEntityTypes.DateOfBirth), Is.EqualTo(new[] { "28 Apr 1983" }));
        Assert.That(Default.Values("Her date of birth is August 16, 2003.", PiiEntityTypes.DateOfBirth), Is.EqualTo(new[] { "August 16, 2003" }));
        Assert.That(Default.Values("The release shipped on 2024-05-02.", PiiEntityTypes.DateOfBirth), Is.Empty);
    }

    [Test]
    public void Emails_including_punycode_and_plus_addressing()
    {
        Assert.That(Default.Values("write to chloe.smith+work@northwind-traders.de or sta@xn--80ak6aa92e.com.", PiiEntityTypes.EmailAddress),
            Is.EqualTo(new[] { "chloe.smith+work@northwind-traders.de", "sta@xn--80ak6aa92e.com" }));
        Assert.That(Default.Values("my email is info@presidio. and user@localhost", PiiEntityTypes.EmailAddress), Is.Empty);
    }
}
