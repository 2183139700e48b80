using Sluice.Connectors;
using Sluice.Connectors.Blackhole;
using Sluice.Connectors.Datagen;
using Sluice.Connectors.Filesystem;
using Sluice.Connectors.Print;

// The connectors that need no external system ship with the API.
[assembly: ConnectorFactories(typeof(DatagenConnectorFactory), typeof(PrintConnectorFactory), typeof(BlackholeConnectorFactory), typeof(FilesystemConnectorFactory))]
