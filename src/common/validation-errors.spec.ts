import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateNested, validateSync } from 'class-validator';
import { flattenValidationErrors } from './validation-errors';

class InnerMessage {
  @IsString()
  @IsNotEmpty()
  readonly content!: string;

  @IsOptional()
  @IsIn(['user', 'assistant'], { message: 'must be user or assistant' })
  readonly role?: string;
}

class Envelope {
  @IsOptional()
  @IsString()
  @MaxLength(5)
  readonly title?: string;

  @ValidateNested()
  @Type(() => InnerMessage)
  readonly message!: InnerMessage;
}

const errorsFor = (plain: object) => validateSync(plainToInstance(Envelope, plain), { forbidNonWhitelisted: true, whitelist: true });

describe(flattenValidationErrors.name, () => {
  it('returns an empty string when nothing is wrong', () => {
    expect(flattenValidationErrors(errorsFor({ message: { content: 'hi' } }))).toBe('');
  });

  it('names a top-level field once per broken constraint', () => {
    expect(flattenValidationErrors(errorsFor({ title: 'far too long', message: { content: 'hi' } }))).toBe(
      'title must be shorter than or equal to 5 characters',
    );
  });

  it('prefixes nested fields with their path', () => {
    expect(flattenValidationErrors(errorsFor({ message: { content: '' } }))).toBe('message.content should not be empty');
  });

  it('puts "path:" before messages that do not start with the field name', () => {
    expect(flattenValidationErrors(errorsFor({ message: { content: 'x', role: 'robot' } }))).toBe(
      'message.role: must be user or assistant',
    );
  });

  it('joins several problems with "; "', () => {
    const text = flattenValidationErrors(errorsFor({ title: 7, message: { content: 3 }, extra: true }));
    expect(text.split('; ').sort()).toEqual(
      [
        'title must be a string',
        'title must be shorter than or equal to 5 characters',
        'message.content must be a string',
        'extra: property extra should not exist',
      ].sort(),
    );
  });
});
