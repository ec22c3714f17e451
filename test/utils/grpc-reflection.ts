import { dirname, join } from 'node:path';
import { credentials, GrpcObject, loadPackageDefinition, ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

interface ReflectionStream {
  write(message: object): void;
  end(): void;
  on(event: 'data', listener: (message: { list_services_response?: { service: { name: string }[] } }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

/** The services a server announces through gRPC reflection v1 (what `grpcurl list` shows). */
export function listServicesByReflection(address: string): Promise<string[]> {
  const root = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
  const proto = loadPackageDefinition(loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [root], keepCase: true }));
  const v1 = ((proto['grpc'] as GrpcObject)['reflection'] as GrpcObject)['v1'] as GrpcObject;
  const Ctor = v1['ServerReflection'] as ServiceClientConstructor;
  const client = new Ctor(address, credentials.createInsecure()) as unknown as { ServerReflectionInfo(): ReflectionStream; close(): void };
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', (message) => {
      resolve((message.list_services_response?.service ?? []).map((s) => s.name).sort());
      call.end();
      client.close();
    });
    call.on('error', reject);
    call.write({ list_services: '*' });
  });
}
