import { expect } from '@jest/globals';
import { BadRequestException, HttpException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { DomainError, DomainErrorCode } from './domain.error';
import { HttpExceptionFilter } from './http-exception.filter';

interface FakeResponse {
  headersSent: boolean;
  status: jest.Mock<FakeResponse, [number]>;
  json: jest.Mock<FakeResponse, [unknown]>;
  end: jest.Mock<void, []>;
}

function fakeResponse(headersSent = false): FakeResponse {
  const response: FakeResponse = {
    headersSent,
    status: jest.fn<FakeResponse, [number]>(),
    json: jest.fn<FakeResponse, [unknown]>(),
    end: jest.fn<void, []>(),
  };
  response.status.mockReturnValue(response);
  response.json.mockReturnValue(response);
  return response;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe(HttpExceptionFilter.name, () => {
  let sut: HttpExceptionFilter;
  let logError: jest.SpyInstance<void, Parameters<Logger['error']>>;

  beforeEach(() => {
    sut = new HttpExceptionFilter();
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    logError.mockRestore();
  });

  function send(exception: unknown, response = fakeResponse()): { status: number | undefined; body: unknown } {
    sut.catch(exception, new ExecutionContextHost([{}, response]));
    return { status: response.status.mock.calls[0]?.[0], body: response.json.mock.calls[0]?.[0] };
  }

  const expectedStatus: Record<DomainErrorCode, [number, string]> = {
    [DomainErrorCode.SessionNotFound]: [404, 'Not Found'],
    [DomainErrorCode.SessionExists]: [409, 'Conflict'],
    [DomainErrorCode.InvalidRequest]: [400, 'Bad Request'],
    [DomainErrorCode.NotPending]: [409, 'Conflict'],
    [DomainErrorCode.Unavailable]: [503, 'Service Unavailable'],
  };

  it.each(Object.values(DomainErrorCode))('maps the domain error code %s to its status', (code) => {
    const [status, error] = expectedStatus[code];
    expect(send(new DomainError(code, `problem ${code}`))).toEqual({
      status,
      body: { statusCode: status, message: `problem ${code}`, error },
    });
    expect(logError).not.toHaveBeenCalled();
  });

  it('answers a middleware error that blames the request (http-errors with expose) with its status', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
    expect(send(tooLarge)).toEqual({ status: 413, body: { statusCode: 413, message: 'request entity too large', error: 'Payload Too Large' } });
    const internal = Object.assign(new Error('secret detail'), { status: 413, expose: false });
    expect(send(internal).status).toBe(500);
    expect(logError).toHaveBeenCalledTimes(1);
  });

  it('joins an array message of an HttpException into one string', () => {
    expect(send(new BadRequestException(['limit must not be less than 1', 'offset must be an integer']))).toEqual({
      status: 400,
      body: { statusCode: 400, message: 'limit must not be less than 1; offset must be an integer', error: 'Bad Request' },
    });
  });

  it.each([
    [new NotFoundException('Cannot GET /api/v1/nope'), 404, 'Cannot GET /api/v1/nope', 'Not Found'],
    [new HttpException('plain text body', HttpStatus.I_AM_A_TEAPOT), 418, 'plain text body', "I'm a Teapot"],
    [new HttpException({ detail: 'no message key' }, HttpStatus.FORBIDDEN), 403, 'Http Exception', 'Forbidden'],
    [new HttpException('odd status', 499), 499, 'odd status', 'Error'],
  ])('keeps the status of an HttpException (%s)', (exception, status, message, error) => {
    expect(send(exception)).toEqual({ status, body: { statusCode: status, message, error } });
  });

  it('turns an unknown error into a 500 with a correlation id, logging the stack but never sending it', () => {
    const error = new Error('SQLITE_IOERR: disk I/O error at /secret/path');

    const { status, body } = send(error);

    expect(status).toBe(500);
    expect(body).toEqual({
      statusCode: 500,
      message: expect.stringMatching(new RegExp(`^Internal server error \\(correlation_id=${UUID}\\)$`)),
      error: 'Internal Server Error',
    });
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(JSON.stringify(body)).not.toContain('at ');
    const correlationId = /correlation_id=([0-9a-f-]+)/.exec(JSON.stringify(body))?.[1];
    expect(logError).toHaveBeenCalledTimes(1);
    expect(logError).toHaveBeenCalledWith(expect.stringContaining(`correlation_id=${correlationId}`), error.stack);
  });

  it('gives every unknown error its own correlation id, also for thrown non-errors', () => {
    const first = send('a thrown string').body;
    const second = send(undefined).body;
    expect(first).toMatchObject({ statusCode: 500 });
    expect(second).toMatchObject({ statusCode: 500 });
    expect(first).not.toEqual(second);
  });

  it('only ends the response when the headers were already sent', () => {
    const response = fakeResponse(true);
    send(new DomainError(DomainErrorCode.SessionNotFound, 'gone'), response);
    expect(response.end).toHaveBeenCalledTimes(1);
    expect(response.status).not.toHaveBeenCalled();
    expect(response.json).not.toHaveBeenCalled();
  });
});
