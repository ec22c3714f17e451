import { Client, credentials, makeClientConstructor, Metadata, ServiceError } from '@grpc/grpc-js';
import { service } from 'grpc-health-check';

interface HealthStub extends Client {
  check(req: { service: string }, md: Metadata, cb: (error: ServiceError | null, value?: { status: string }) => void): unknown;
}

/** A client of the standard grpc.health.v1.Health service (what Kubernetes' gRPC probes and grpc_health_probe call). */
export class HealthClient {
  private readonly stub: HealthStub;

  constructor(address: string) {
    const ctor = makeClientConstructor(service, 'grpc.health.v1.Health');
    this.stub = new ctor(address, credentials.createInsecure()) as unknown as HealthStub;
  }

  check(serviceName: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.stub.check({ service: serviceName }, new Metadata(), (error, value) => (error ? reject(error) : resolve(String(value?.status))));
    });
  }

  close(): void {
    this.stub.close();
  }
}
