using Shouldly;
using Sluice.Server.PgWire;

namespace Sluice.Server.Tests.PgWire;

public sealed class ScramSha256Tests
{
    // RFC 7677, section 3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
    private const string ClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string ServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

    private static ScramCredential Pencil() => ScramCredential.Derive("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);

    [Fact]
    public void Exchange_Rfc7677Vector_AnswersTheRfcMessages()
    {
        var scram = new ScramSha256(Pencil(), ServerNonce);

        scram.Begin(ClientFirst).ShouldBe("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        scram.Complete(ClientFinal).ShouldBe("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }

    [Fact]
    public void Complete_WrongPassword_ReturnsNull()
    {
        var scram = new ScramSha256(ScramCredential.Derive("not-pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096), ServerNonce);
        scram.Begin(ClientFirst);

        scram.Complete(ClientFinal).ShouldBeNull();
    }

    [Fact]
    public void Complete_UnknownUser_ReturnsNull()
    {
        var scram = new ScramSha256(ScramCredential.ForUnknownUser("user"), ServerNonce);
        scram.Begin(ClientFirst);

        scram.Complete(ClientFinal).ShouldBeNull();
    }

    [Fact]
    public void ForUnknownUser_SaltIsStablePerNameAndDiffersBetweenNames()
    {
        var first = ScramCredential.ForUnknownUser("mallory");

        first.Salt.Length.ShouldBe(16);
        ScramCredential.ForUnknownUser("mallory").Salt.ShouldBe(first.Salt);
        ScramCredential.ForUnknownUser("trudy").Salt.ShouldNotBe(first.Salt);
        first.Iterations.ShouldBe(ScramCredential.DefaultIterations);
    }

    [Fact]
    public void Begin_ChannelBindingRequested_IsRefused()
    {
        var scram = new ScramSha256(Pencil(), ServerNonce);

        Should.Throw<PgException>(() => scram.Begin("p=tls-server-end-point,,n=user,r=abc")).SqlState.ShouldBe("28000");
    }

    [Fact]
    public void Complete_NonceOfAnotherExchange_IsAProtocolViolation()
    {
        var scram = new ScramSha256(Pencil(), "other");
        scram.Begin(ClientFirst);

        Should.Throw<PgException>(() => scram.Complete(ClientFinal)).SqlState.ShouldBe("08P01");
    }
}
