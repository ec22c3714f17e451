import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../../database/epoch-ms.transformer';

/** An agent of another AgentService, registered with gRPC `RegisterAgent`; its tasks are forwarded there. */
@Entity({ name: 'remote_agents' })
export class RemoteAgentEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  @Column({ name: 'name', type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'description', type: 'text' })
  description!: string;

  @Column({ name: 'capabilities', type: 'simple-json' })
  capabilities!: string[];

  /** `host:port` of the AgentService that runs it. */
  @Column({ name: 'endpoint', type: 'varchar', length: 300 })
  endpoint!: string;

  @Column({ name: 'detailed_description', type: 'text' })
  detailedDescription!: string;

  @Column({ name: 'how_it_works', type: 'text' })
  howItWorks!: string;

  @Column({ name: 'return_format', type: 'text' })
  returnFormat!: string;

  @Column({ name: 'use_cases', type: 'simple-json' })
  useCases!: string[];

  @Column({ name: 'version', type: 'varchar', length: 64 })
  version!: string;

  /** Who registered it (null with authentication off). */
  @Column({ name: 'registered_by', type: 'varchar', length: 128, nullable: true })
  registeredBy!: string | null;

  @Column({ name: 'registered_at', type: 'bigint', transformer: epochMs })
  registeredAt!: Date;
}
