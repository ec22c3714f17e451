import { ApiProperty } from '@nestjs/swagger';

/** The body of every REST error. */
export class ErrorResponseDto {
  @ApiProperty({ example: 404 })
  readonly statusCode!: number;

  @ApiProperty({ example: 'Session 3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f not found' })
  readonly message!: string;

  @ApiProperty({ example: 'Not Found' })
  readonly error!: string;
}
