import { Metadata, status } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { AuthService } from '../../auth/auth.service';
import { AuthenticationError, Principal } from '../../auth/principal';

/**
 * gRPC calls authenticate like REST: metadata `authorization: Bearer <jwt>` or `x-api-key: <key>`.
 * A missing, bad or malformed credential fails the call with UNAUTHENTICATED (when auth is on).
 */
@Injectable()
export class GrpcAuthService {
  constructor(private readonly auth: AuthService) {}

  async principal(metadata: Metadata): Promise<Principal> {
    try {
      return await this.auth.authenticate({
        authorization: single(metadata, 'authorization'),
        apiKey: single(metadata, 'x-api-key'),
      });
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      throw new RpcException({ code: status.UNAUTHENTICATED, message: error.message });
    }
  }
}

/** One text value of a metadata key; several values or a binary one is a malformed credential. */
function single(metadata: Metadata, key: string): string | undefined {
  const values = metadata.get(key);
  if (values.length === 0) return undefined;
  const [value] = values;
  if (values.length > 1 || typeof value !== 'string') {
    throw new AuthenticationError(`Malformed metadata: send exactly one text value of ${key}`);
  }
  return value;
}
