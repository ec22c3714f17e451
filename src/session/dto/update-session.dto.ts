import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class UpdateSessionDto {
  @ApiProperty({ description: 'New title of the session.', example: 'Parser refactoring', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  readonly title!: string;
}
