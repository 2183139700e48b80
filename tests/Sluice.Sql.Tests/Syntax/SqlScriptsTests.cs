namespace Sluice.Sql.Tests.Syntax;

public sealed class SqlScriptsTests
{
    [Fact]
    public void MaskSecrets_MasksSecretOptionValues_KeepsEverythingElse()
    {
        const string script = """
            -- the warehouse
            CREATE TABLE pg (id BIGINT) WITH (
              'connector' = 'postgres', 'hostname' = 'db', 'password' = 'hunter''2',
              'properties.sasl.jaas.config'='x y z', 'username' = 'password');
            INSERT INTO pg SELECT id FROM src WHERE note = 'password';
            """;

        SqlScripts.MaskSecrets(script).ShouldBe("""
            -- the warehouse
            CREATE TABLE pg (id BIGINT) WITH (
              'connector' = 'postgres', 'hostname' = 'db', 'password' = '******',
              'properties.sasl.jaas.config'='******', 'username' = 'password');
            INSERT INTO pg SELECT id FROM src WHERE note = 'password';
            """);
    }

    [Fact]
    public void MaskSecrets_ScriptWithoutSecrets_IsReturnedAsIs()
    {
        const string script = "CREATE TABLE t (a INT) WITH ('connector' = 'datagen');";

        SqlScripts.MaskSecrets(script).ShouldBeSameAs(script);
    }

    [Fact]
    public void MaskSecrets_TextThatDoesNotTokenize_IsHiddenWhole()
    {
        var masked = SqlScripts.MaskSecrets("CREATE TABLE t (a INT) WITH ('password' = 'hunter2");

        masked.ShouldNotContain("hunter2");
        masked.ShouldStartWith("--");
    }
}
