using System.Security.Cryptography;
using System.Text;

namespace Sluice.Server.PgWire;

/// <summary>
/// The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL runs it: the client's first message, the
/// server's (nonce, salt, iteration count), the client's proof, the server's signature. The endpoint keeps, per user,
/// only the salted keys (<see cref="ScramCredential"/>), derived once at start from the configured password. No
/// channel binding (the endpoint has no TLS): a client asking for it (<c>p=</c>) is refused. Not thread-safe: one
/// instance per login.
/// </summary>
internal sealed class ScramSha256
{
    /// <summary>The SASL mechanism name announced in AuthenticationSASL.</summary>
    public const string Mechanism = "SCRAM-SHA-256";

    private readonly ScramCredential _credential;
    private readonly string _serverNonce;
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _nonce = "";

    /// <param name="credential">The user's keys; for an unknown user <see cref="ScramCredential.ForUnknownUser"/>, on
    /// which the exchange runs the same way and fails at the proof, so an unknown user cannot be told from a wrong
    /// password.</param>
    /// <param name="serverNonce">The server's part of the nonce; null draws 18 random bytes (tests pass RFC 7677's).</param>
    public ScramSha256(ScramCredential credential, string? serverNonce = null)
    {
        _credential = credential;
        _serverNonce = serverNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    }

    /// <summary>Answers the client-first-message with the server-first-message.</summary>
    /// <exception cref="PgException">08P01 for a malformed message, 28000 when the client asks for channel binding.</exception>
    public string Begin(string clientFirst)
    {
        // gs2-header: "n,," (no binding) or "y,," (client could bind but the server announced no -PLUS mechanism).
        if (clientFirst.StartsWith("p=", StringComparison.Ordinal))
        {
            throw new PgException(PgSqlState.InvalidAuthorization, "SCRAM channel binding is not supported: the endpoint has no TLS; connect without channel binding (channel_binding=disable).", fatal: true);
        }
        if (!(clientFirst.StartsWith("n,", StringComparison.Ordinal) || clientFirst.StartsWith("y,", StringComparison.Ordinal)))
        {
            throw Malformed("client-first-message");
        }
        var secondComma = clientFirst.IndexOf(',', 2);
        if (secondComma < 0)
        {
            throw Malformed("client-first-message");
        }
        _clientFirstBare = clientFirst[(secondComma + 1)..];
        var clientNonce = Attribute(_clientFirstBare, 'r') ?? throw Malformed("client-first-message");
        _nonce = clientNonce + _serverNonce;
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        return _serverFirst;
    }

    /// <summary>
    /// Checks the client-final-message's proof; returns the server-final-message (<c>v=…</c>) on success, null when the
    /// proof is wrong (or the user unknown).
    /// </summary>
    /// <exception cref="PgException">08P01 for a malformed message or a nonce that is not this exchange's.</exception>
    public string? Complete(string clientFinal)
    {
        var proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            throw Malformed("client-final-message");
        }
        var withoutProof = clientFinal[..proofAt];
        if (Attribute(withoutProof, 'r') != _nonce)
        {
            throw new PgException(PgSqlState.ProtocolViolation, "The SCRAM client-final-message's nonce is not this exchange's.", fatal: true);
        }
        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            throw Malformed("client-final-message's proof");
        }
        if (proof.Length != SHA256.HashSizeInBytes)
        {
            return null;
        }
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = HMACSHA256.HashData(_credential.StoredKey, authMessage);
        Span<byte> clientKey = stackalloc byte[SHA256.HashSizeInBytes];
        for (var i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        }
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(clientKey), _credential.StoredKey))
        {
            return null;
        }
        return "v=" + Convert.ToBase64String(HMACSHA256.HashData(_credential.ServerKey, authMessage));
    }

    /// <summary>The value of attribute <paramref name="name"/> (<c>r=…</c>) of a comma-separated SCRAM message.</summary>
    private static string? Attribute(string message, char name)
    {
        foreach (var part in message.Split(','))
        {
            if (part.Length >= 2 && part[0] == name && part[1] == '=')
            {
                return part[2..];
            }
        }
        return null;
    }

    private static PgException Malformed(string what) => new(PgSqlState.ProtocolViolation, $"The SCRAM {what} is malformed.", fatal: true);
}

/// <summary>
/// One user's SCRAM-SHA-256 verifier: salt, iteration count, StoredKey and ServerKey (RFC 5802, section 3). Holds no
/// password; immutable.
/// </summary>
internal sealed class ScramCredential
{
    /// <summary>PostgreSQL's default iteration count (<c>scram_iterations</c>).</summary>
    public const int DefaultIterations = 4096;

    private ScramCredential(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey)
    {
        Salt = salt;
        Iterations = iterations;
        StoredKey = storedKey;
        ServerKey = serverKey;
    }

    /// <summary>The key of the salts offered to unknown users: drawn once per process.</summary>
    private static readonly byte[] s_unknownUserSaltKey = RandomNumberGenerator.GetBytes(32);

    public byte[] Salt { get; }

    public int Iterations { get; }

    public byte[] StoredKey { get; }

    public byte[] ServerKey { get; }

    /// <summary>
    /// The credential offered to a user that does not exist, as PostgreSQL does: its salt is derived from the user name
    /// (the same name always gets the same salt, two names get different ones, like real users' salts), so probing
    /// cannot tell an unknown user from a known one by the salt; its keys are random, so no proof matches them.
    /// </summary>
    public static ScramCredential ForUnknownUser(string user) =>
        new(HMACSHA256.HashData(s_unknownUserSaltKey, Encoding.UTF8.GetBytes(user))[..16], DefaultIterations,
            RandomNumberGenerator.GetBytes(SHA256.HashSizeInBytes), RandomNumberGenerator.GetBytes(SHA256.HashSizeInBytes));

    /// <summary>Derives the verifier of <paramref name="password"/> with a new random 16-byte salt.</summary>
    public static ScramCredential Derive(string password, int iterations = DefaultIterations) => Derive(password, RandomNumberGenerator.GetBytes(16), iterations);

    /// <summary>Derives the verifier of <paramref name="password"/> with <paramref name="salt"/>.</summary>
    public static ScramCredential Derive(string password, byte[] salt, int iterations)
    {
        // PostgreSQL applies SASLprep to the password; plain ASCII passwords are unchanged by it.
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, SHA256.HashSizeInBytes);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return new ScramCredential(salt, iterations, SHA256.HashData(clientKey), serverKey);
    }
}
